import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Data directories this process holds, so a second server in the same process is refused too. */
const heldHere = new Set<string>();

export interface DataDirLock {
  release(): void;
}

/**
 * One server per data directory: a `LOCK` file, created exclusively, naming the owner's pid and
 * its start time. A lock whose owner is gone is taken over — and "gone" includes a process killed
 * with `kill -9` that its parent has not reaped yet (a zombie still answers `kill(pid, 0)`, which
 * is why a restart right after a crash used to be refused), and a pid the kernel has since handed
 * to another process (the start time differs).
 */
export function lockDataDir(dir: string, log: (line: string) => void): DataDirLock {
  const key = resolve(dir);
  if (heldHere.has(key)) throw new Error(`data dir ${dir} is already open in this process`);
  const path = join(dir, 'LOCK');
  const owner = `${process.pid} ${startTimeOf(process.pid) ?? ''}`.trim();
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, owner);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const [pid, startTime] = readOwner(path);
      if (pid !== undefined && isRunning(pid, startTime)) {
        throw new Error(`data dir ${dir} is in use by process ${pid}`);
      }
      log(`taking over the stale lock of process ${pid ?? '?'} in ${dir}`);
      unlinkSync(path);
    }
  }
  heldHere.add(key);
  return {
    release() {
      if (!heldHere.delete(key)) return;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}

function readOwner(path: string): [pid: number | undefined, startTime: string | undefined] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [undefined, undefined];
  }
  const [pidText, startTime] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  return [Number.isInteger(pid) && pid > 0 ? pid : undefined, startTime];
}

/**
 * Is `pid` a live process (not a zombie) — and, when the lock recorded a start time, the same one?
 * Linux tells through /proc; elsewhere `kill(pid, 0)` is the best there is.
 */
function isRunning(pid: number, recordedStartTime: string | undefined): boolean {
  if (pid === process.pid) return false; // a lock this process left behind in an earlier life
  const stat = procStat(pid);
  if (stat === 'no procfs') return signalable(pid);
  if (stat === undefined) return false;
  const [state, startTime] = stat;
  if (state === 'Z' || state === 'X' || state === 'x') return false;
  return recordedStartTime === undefined || recordedStartTime === startTime;
}

function startTimeOf(pid: number): string | undefined {
  const stat = procStat(pid);
  return Array.isArray(stat) ? stat[1] : undefined;
}

/** State letter and start time (clock ticks since boot) from /proc/<pid>/stat. */
function procStat(pid: number): [state: string, startTime: string] | undefined | 'no procfs' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return 'no procfs';
    return hasProcfs() ? undefined : 'no procfs';
  }
  // "pid (comm) state ppid …": comm may itself contain ')' and spaces, so split after the last one
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); the start time is field 22
  return [fields[0] ?? '', fields[19] ?? ''];
}

function hasProcfs(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
