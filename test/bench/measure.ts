import { readFileSync } from 'node:fs';

/** A numeric `--name=value` argument of the benchmark, else `fallback`. */
export const numberArgument = (name: string, fallback: number): number => {
  const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value ? Number(value) : fallback;
};

export const expectStatus = (status: number, wanted: number, what: string): void => {
  if (status !== wanted) throw new Error(`${what}: expected ${wanted}, got ${status}`);
};

/** The median (of an even count, the mean of the middle two). */
export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Latency samples in milliseconds → the figures the README reports. */
export const summarize = (samples: number[], elapsedMs: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    count: samples.length,
    perSecond: Math.round((samples.length / elapsedMs) * 1000),
    p50: Number(at(0.5).toFixed(2)),
    p99: Number(at(0.99).toFixed(2)),
  };
};

/** Runs `total` calls of `call(i)` with `concurrency` callers; returns each call's latency. */
export const drive = async (
  total: number,
  concurrency: number,
  call: (index: number) => Promise<void>,
): Promise<{ samples: number[]; elapsedMs: number }> => {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const t0 = performance.now();
        await call(index);
        samples.push(performance.now() - t0);
      }
    }),
  );
  return { samples, elapsedMs: performance.now() - started };
};

/** Peak resident set size (VmHWM) of a process, in MiB. */
export const peakRssMiB = (pid: number): number | undefined => {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
};

/** Direct children of a process with their command lines (Linux /proc). */
export const childrenOf = (pid: number): { pid: number; command: string }[] => {
  try {
    const ids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return ids.map((id) => ({
      pid: Number(id),
      command: readFileSync(`/proc/${id}/cmdline`, 'utf8').split('\0').join(' '),
    }));
  } catch {
    return [];
  }
};

/** The processes of a stack by service name (its servers and services), and this benchmark's own. */
export const stackProcesses = (stackPid: number): { name: string; pid: number }[] => [
  ...childrenOf(stackPid).map(({ pid, command }) => ({
    name: /(services|embedded)\/([\w-]+)\//.exec(command)?.[2] ?? command,
    pid,
  })),
  { name: 'bench client', pid: process.pid },
];

const cpuTicks = (pid: number): number | undefined => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
};

/** CPU time (user + system) a process has used so far, in seconds (Linux /proc, 100 ticks/s). */
export const cpuSeconds = (pid: number): number | undefined => {
  const ticks = cpuTicks(pid);
  return ticks === undefined ? undefined : Math.round(ticks / 10) / 10;
};

/** CPU seconds used so far by all the children of a process (a stack's servers and services). */
export const childrenCpuSeconds = (pid: number): number =>
  childrenOf(pid).reduce((sum, child) => sum + (cpuTicks(child.pid) ?? 0), 0) / 100;
