import { existsSync, readFileSync } from 'node:fs';
import type { RunningStack } from './stack.ts';

/** A process the stack supervisor runs, named as the supervisor prefixes its log lines. */
export interface StackProcess {
  name: string;
  pid: number;
}

const childPids = (pid: number): number[] => {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
};

/** `services/<name>/src/main.ts` or `deploy/embedded/<name>/src/main.ts` → `<name>`. */
const processName = (pid: number): string | undefined => {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return /(?:services|deploy\/embedded)\/([\w-]+)\/src\/main\.ts/.exec(commandLine)?.[1];
  } catch {
    return undefined; // gone in between
  }
};

/** The processes the supervisor `supervisorPid` currently runs (Linux /proc). */
export const stackProcesses = (supervisorPid: number): StackProcess[] =>
  childPids(supervisorPid).flatMap((pid) => {
    const name = processName(pid);
    return name ? [{ name, pid }] : [];
  });

/** The current process named `name`, or undefined while the supervisor restarts it. */
export const stackProcess = (supervisorPid: number, name: string): StackProcess | undefined =>
  stackProcesses(supervisorPid).find((p) => p.name === name);

/**
 * Freezes `name` with SIGSTOP for `run`, and always thaws it (SIGCONT) afterwards — a frozen
 * broker or store left behind would hang everything that follows.
 */
export const whileFrozen = async <T>(
  supervisorPid: number,
  name: string,
  run: () => Promise<T>,
): Promise<T> => {
  const target = stackProcess(supervisorPid, name);
  if (!target) throw new Error(`no running process named ${name}`);
  process.kill(target.pid, 'SIGSTOP');
  try {
    return await run();
  } finally {
    process.kill(target.pid, 'SIGCONT');
  }
};

/** Lines where the supervisor reported a process exit (a crash, unless the test killed it). */
export const exitReports = (output: readonly string[]): string[] =>
  output.filter((line) => /\bexited \(/.test(line));

/** Thaws every stack process (SIGCONT), e.g. before stopping a stack a chaos run may have frozen. */
export const thawAll = (supervisorPid: number): void => {
  for (const { pid } of stackProcesses(supervisorPid)) process.kill(pid, 'SIGCONT');
};

/** Ctrl-C of a long run: thaw whatever it froze (a frozen process never stops), then stop the stack. */
export const stopStackOnSignals = (stack: RunningStack): void => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      thawAll(stack.pid);
      void stack.stop().finally(() => process.exit(130));
    });
  }
};
