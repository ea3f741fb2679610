import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '@roster/test-support';
import { expect, test } from 'vitest';
import { startStack } from '../src/stack.ts';

const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

const alive = (pid: number): boolean => {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
};

test('a crashed service is restarted, and if the supervisor itself dies every process it started goes too', async () => {
  const stack = await startStack();
  try {
    const before = childrenOf(stack.pid);
    expect(before.length).toBe(7);
    const [victim] = before;
    process.kill(victim!, 'SIGKILL');
    await waitFor(
      () => {
        const now = childrenOf(stack.pid);
        return now.length === before.length && !now.includes(victim!) ? true : undefined;
      },
      { what: 'the supervisor to restart the killed process' },
    );
    expect(stack.output.some((line) => /exited \(SIGKILL\); restarting/.test(line))).toBe(true);

    const survivors = childrenOf(stack.pid);
    process.kill(stack.pid, 'SIGKILL');
    await waitFor(() => (survivors.every((pid) => !alive(pid)) ? true : undefined), {
      what: 'every service to stop once its supervisor is gone',
    });
  } finally {
    await stack.stop().catch(() => undefined);
  }
});
