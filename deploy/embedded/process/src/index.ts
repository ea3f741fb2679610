/**
 * @roster/embedded-process — the process entry the embedded broker and store share (their
 * `main.ts`), a package of its own so neither server depends on the other.
 */

export { type DataDirLock, lockDataDir } from './dataDirLock.ts';
export { isLoopback, listenHost } from './listenHost.ts';

export interface StartedServer {
  /** What the READY line announces, e.g. `{ brokers }` or `{ url }`. */
  ready: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Runs a development server as a process: prints one `READY {...}` line on stdout once `start`
 * resolves (logs go to stderr through `log`), closes it cleanly on SIGTERM/SIGINT (exit 0, or 1
 * if closing fails), and exits 1 when it cannot start.
 */
export function runServerProcess(log: (line: string) => void, start: () => Promise<StartedServer>): void {
  // Once whoever read our output is gone, writing it fails (EPIPE). Unhandled, that error is an
  // uncaught exception whose report is another failing write — a loop that starves everything,
  // SIGTERM included. Output is best effort; serving and stopping are not.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  // A development server should stay up: a bug in one request handler must not take down
  // everyone's stack, so report it loudly and keep serving.
  process.on('uncaughtException', (err) =>
    log(`uncaught exception (still running): ${err.stack ?? String(err)}`),
  );
  process.on('unhandledRejection', (err) => log(`unhandled rejection (still running): ${String(err)}`));
  // Orphaned before it serves (its supervisor died while it loaded or recovered its data): nothing
  // is acknowledged yet, so it just ends instead of living on unsupervised.
  const orphaned = () => {
    log('supervisor gone while starting; exiting');
    process.exit(1);
  };
  if (process.send && !process.connected) orphaned();
  if (process.send) process.once('disconnect', orphaned);
  start().then(
    (server) => {
      process.off('disconnect', orphaned);
      // stop handling first: whoever reads READY may signal at once
      closeOnStop(server, log);
      process.stdout.write(`READY ${JSON.stringify(server.ready)}\n`);
    },
    (err: unknown) => {
      log(`failed to start: ${(err as Error)?.stack ?? String(err)}`);
      process.exit(1);
    },
  );
}

function closeOnStop(server: StartedServer, log: (line: string) => void): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, shutting down`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Started by a supervisor over IPC (the dev stack): stop when it is gone, within a few seconds
  // even if a client hangs on (acknowledged data is already on disk).
  if (process.send) {
    const supervisorGone = () => {
      setTimeout(() => process.exit(0), 3_000).unref();
      stop('supervisor gone');
    };
    if (process.connected) process.once('disconnect', supervisorGone);
    else supervisorGone();
  }
}
