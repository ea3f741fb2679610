/**
 * @roster/embedded-process — the process entry the embedded broker and store share (their
 * `main.ts`), a package of its own so neither server depends on the other.
 */

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
  // A development server should stay up: a bug in one request handler must not take down
  // everyone's stack, so report it loudly and keep serving.
  process.on('uncaughtException', (err) =>
    log(`uncaught exception (still running): ${err.stack ?? String(err)}`),
  );
  process.on('unhandledRejection', (err) => log(`unhandled rejection (still running): ${String(err)}`));
  start().then(
    (server) => {
      process.stdout.write(`READY ${JSON.stringify(server.ready)}\n`);
      closeOnStop(server, log);
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
    process.once('disconnect', () => {
      setTimeout(() => process.exit(0), 3_000).unref();
      stop('supervisor gone');
    });
  }
}
