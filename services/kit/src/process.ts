import { createLogger, type Logger } from './log.ts';
import type { ReadinessCheck } from './ops/readiness.ts';
import { startOpsListener } from './ops/server.ts';
import { currentTelemetry } from './telemetry/start.ts';

export interface StartedService {
  /** Where the service listens, if it serves HTTP. */
  url?: string | undefined;
  /** Rejects if the service broke for good (a consumer kafkajs gave up on): the process must end. */
  crashed?: Promise<never>;
  /** What `/readyz` checks: the broker and store it needs, its consumers in their groups. */
  readiness?: ReadinessCheck[];
  stop(): Promise<void>;
}

/** Exit code of a process that failed (a supervisor or Kubernetes restarts it). */
const FAILED = 1;

/** How long a failing process tries to stop cleanly (leave its consumer groups) before it exits. */
const FAILING_STOP_MS = 5_000;

/**
 * The life of a service process: start it, print the one `READY {...}` line supervisors (the dev
 * stack, tests) wait for — logs are JSON lines beside it — and stop cleanly on SIGTERM/SIGINT
 * (exit 0), or exit 1 if stopping fails. A service that crashes (a consumer that will not restart,
 * an uncaught exception, an unhandled rejection) is not left half alive: the process logs why,
 * tries briefly to stop (so its consumer groups rebalance at once instead of waiting out the
 * session timeout) and exits 1, so the supervisor restarts it.
 */
export const runService = async (
  name: string,
  start: (log: Logger) => Promise<StartedService>,
): Promise<void> => {
  const log = createLogger(name);
  let service: StartedService | undefined;
  let failing = false;
  const fail = (what: string) => (err: unknown) => {
    log.fatal({ err }, what);
    if (failing) return;
    failing = true;
    setTimeout(() => process.exit(FAILED), FAILING_STOP_MS).unref();
    void Promise.resolve(service?.stop())
      .catch((stopErr: unknown) => log.error({ err: stopErr }, 'unclean stop'))
      .finally(() => process.exit(FAILED));
  };
  process.on('uncaughtException', fail('uncaught exception; exiting'));
  process.on('unhandledRejection', fail('unhandled rejection; exiting'));
  // Orphaned before it is running (its supervisor died while it loaded or started): nothing is
  // handed over yet, so it just ends instead of living on unsupervised.
  const supervised = process.send !== undefined;
  const orphaned = () => {
    log.warn('supervisor gone while starting; exiting');
    process.exit(FAILED);
  };
  if (supervised && !process.connected) orphaned();
  if (supervised) process.once('disconnect', orphaned);
  service = await start(log);
  service.crashed?.catch(fail('a consumer crashed and will not restart; exiting'));
  const telemetry = currentTelemetry();
  const ops = await startOpsListener({
    host: process.env.ROSTER_OPS_HOST || '127.0.0.1',
    port: Number(process.env.ROSTER_OPS_PORT || 0),
    alive: () => !failing,
    readiness: () => service?.readiness ?? [],
    telemetry,
  });
  const ready = {
    service: name,
    ...(service.url ? { url: service.url } : {}),
    ops: ops.url,
    ...(telemetry ? { metrics: `${ops.url}/metrics` } : {}),
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    try {
      await service.stop();
      await ops.close();
      // The last spans and metrics of the process reach the collector.
      await telemetry?.shutdown();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'unclean stop');
      process.exit(FAILED);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // Started by a supervisor over an IPC channel (the dev stack): stop if the supervisor is gone.
  if (supervised) {
    process.off('disconnect', orphaned);
    if (process.connected) process.once('disconnect', () => void shutdown('supervisor gone'));
    else void shutdown('supervisor gone');
  }
};
