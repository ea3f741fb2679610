import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceSpec {
  name: string;
  /** Script path, run with this process's Node (the pinned Node 24). */
  script: string;
  args?: string[];
  /** Modules Node loads before the script (`--import`), e.g. the service's telemetry. */
  imports?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface SupervisedService {
  name: string;
  /** The JSON of the service's first `READY {...}` line. */
  ready: Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const READY = /^READY (\{.*\})\s*$/;
const MAX_BACKOFF_MS = 10_000;

/** Liveness: a service whose `/healthz` fails this many checks in a row is hung and is restarted. */
const HEALTH_INTERVAL_MS = 5_000;
const HEALTH_TIMEOUT_MS = 2_000;
const HEALTH_FAILURES = 3;

const healthy = async (opsUrl: string): Promise<boolean> => {
  try {
    const response = await fetch(`${opsUrl}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return response.ok;
  } catch {
    return false;
  }
};

/** Polls the process's `/healthz` (its READY line names its ops listener) and kills it once it is hung. */
const watchHealth = (proc: ChildProcess, opsUrl: string, print: (line: string) => void): void => {
  let failures = 0;
  const timer = setInterval(() => {
    void healthy(opsUrl).then((ok) => {
      failures = ok ? 0 : failures + 1;
      if (failures < HEALTH_FAILURES) return;
      clearInterval(timer);
      print(`/healthz failed ${HEALTH_FAILURES} times in a row; killing the process`);
      proc.kill('SIGKILL');
    });
  }, HEALTH_INTERVAL_MS);
  timer.unref();
  proc.once('exit', () => clearInterval(timer));
};

/**
 * Runs a service as a child process, prefixes its output with its name, and restarts it with
 * exponential backoff when it exits unexpectedly. `stop()` sends SIGTERM and waits for the exit.
 */
export const supervise = (
  spec: ServiceSpec,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): SupervisedService => {
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let resolveReady!: (value: Record<string, unknown>) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {});
  let exited: Promise<void> = Promise.resolve();

  const start = () => {
    const imports = (spec.imports ?? []).flatMap((module) => ['--import', module]);
    const proc = spawn(process.execPath, [...imports, spec.script, ...(spec.args ?? [])], {
      env: { ...process.env, ...spec.env },
      // The IPC slot lets a service notice when the supervisor dies (its channel disconnects).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child = proc;
    const prefix = `[${spec.name}]`;
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        const match = READY.exec(line);
        if (match) {
          restarts = 0;
          const details = JSON.parse(match[1]!) as Record<string, unknown>;
          if (typeof details.ops === 'string')
            watchHealth(proc, details.ops, (text) => print(`${prefix} ${text}`));
          resolveReady(details);
        }
        print(`${prefix} ${line}`);
      });
    }
    exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        resolve();
        if (stopping) return;
        const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** restarts++);
        print(`${prefix} exited (${signal ?? code}); restarting in ${delay} ms`);
        setTimeout(() => {
          if (!stopping) start();
        }, delay).unref();
      });
      proc.once('error', (err) => rejectReady(err));
    });
  };
  start();

  return {
    name: spec.name,
    ready,
    async stop() {
      stopping = true;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
};
