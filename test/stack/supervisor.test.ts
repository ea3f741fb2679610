import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningStack, startStack } from '../src/stack.ts';

const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

const alive = (pid: number): boolean => {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
};

const commandLineOf = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'utf8');

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop().catch(() => undefined);
});

test('a hung service (alive, but its /healthz never answers) is killed and restarted', async () => {
  const hung = childrenOf(stack.pid).find((pid) => commandLineOf(pid).includes('services/licensing/'));
  expect(hung).toBeDefined();
  // Stopped, the process still exists (no exit for the supervisor to see): only liveness notices.
  process.kill(hung!, 'SIGSTOP');
  await waitFor(
    () => {
      const now = childrenOf(stack.pid);
      const replacement = now.find((pid) => commandLineOf(pid).includes('services/licensing/'));
      return replacement !== undefined && replacement !== hung ? true : undefined;
    },
    { what: 'the supervisor to replace the hung process', timeoutMs: 60_000 },
  );
  expect(stack.output).toContainEqual(
    expect.stringMatching(/^\[licensing\] \/healthz failed 3 times in a row; killing the process$/),
  );
  expect(alive(hung!)).toBe(false);
});

test('a crashed service is restarted, and if the supervisor itself dies every process it started goes too', async () => {
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
});
