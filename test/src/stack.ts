import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DemoCredentials } from '@roster/stack';

const START = resolve(dirname(fileURLToPath(import.meta.url)), '../../deploy/stack/src/start.ts');

/**
 * Tests drive one organization far harder than an IdP does (tens of concurrent writes, thousands of
 * requests a minute), so tenant fairness is out of their way; tests of fairness set their own limits.
 */
export const UNTHROTTLED_TENANTS = {
  ROSTER_TENANT_RATE_LIMIT: '1000000',
  ROSTER_TENANT_WRITES_IN_FLIGHT: '1000',
  ROSTER_TENANT_SHARED_WRITES_IN_FLIGHT: '1000',
};

export interface RunningStack extends DemoCredentials {
  /** Each service's Prometheus scrape URL, by service name (the READY line's `metrics`). */
  metrics: Record<string, string>;
  /** The supervisor's exit code once stopped (0 = every service stopped cleanly). */
  exitCode(): number | null;
  dataDir: string;
  /** The stack supervisor's process id (its children are the services). */
  pid: number;
  /** Everything the stack printed, for failure messages. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts the real `npm start` stack as a child process on ephemeral ports with its own data dir,
 * and resolves with its READY credentials. Nothing is mocked: tests talk HTTP to the ingress,
 * Kafka to the broker and MongoDB to the store.
 */
export const startStack = async (
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 90_000,
  /** A data dir the caller owns (kept on stop), e.g. to restart on the same data. */
  ownDataDir?: string,
): Promise<RunningStack> => {
  const dataDir = ownDataDir ?? mkdtempSync(join(tmpdir(), 'roster-stack-'));
  const child = spawn(process.execPath, [START], {
    env: {
      ...process.env,
      ROSTER_DATA_DIR: dataDir,
      PORT: '0',
      KAFKA_PORT: '0',
      MONGO_PORT: '0',
      LOG_LEVEL: 'warn',
      ...UNTHROTTLED_TENANTS,
      KAFKA_BROKERS: '',
      MONGO_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let exitCode: number | null = null;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code) => {
      exitCode = code;
      done();
    }),
  );
  const credentials = await new Promise<DemoCredentials & { metrics: Record<string, string> }>(
    (ready, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`stack not ready after ${timeoutMs} ms:\n${output.slice(-40).join('\n')}`)),
        timeoutMs,
      );
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          output.push(line);
          if (line.startsWith('READY ')) {
            clearTimeout(timer);
            ready(JSON.parse(line.slice('READY '.length)));
          }
        });
      }
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`stack exited with ${code} before READY:\n${output.slice(-40).join('\n')}`));
      });
    },
  );
  return {
    ...credentials,
    dataDir,
    pid: child.pid!,
    exitCode: () => exitCode,
    output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      if (!ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
