import { parseArgs } from 'node:util';
import { startStore } from './server.ts';

/**
 * CLI: node deploy/embedded/mongo/src/main.ts [--port N] [--data-dir DIR] [--repl-set NAME] [--host H]
 * Prints exactly one stdout line `READY {"url":...}` once accepting connections; logs go to stderr.
 */
const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} [embedded-mongo] ${line}\n`);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'repl-set': { type: 'string', default: 'rs0' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const store = await startStore({
    port,
    host: values.host,
    dataDir: values['data-dir'],
    replSet: values['repl-set'],
    logger: log,
  });
  process.stdout.write(`READY ${JSON.stringify({ url: store.url })}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, shutting down`);
    store.close().then(
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

// Request handling never throws out of the event loop; these are last-resort guards so one bad
// input can never take the store down for everyone else.
process.on('uncaughtException', (err) => log(`uncaught exception (continuing): ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => log(`unhandled rejection (continuing): ${String(err)}`));
main().catch((err: unknown) => {
  log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
