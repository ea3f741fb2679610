import { parseArgs } from 'node:util';
import { runServerProcess } from '@roster/embedded-process';
import { startStore } from './server.ts';

/**
 * CLI: node deploy/embedded/mongo/src/main.ts [--port N] [--data-dir DIR] [--repl-set NAME] [--host H]
 * Prints exactly one stdout line `READY {"url":...}` once accepting connections; logs go to stderr.
 */
const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} [embedded-mongo] ${line}\n`);
};

runServerProcess(log, async () => {
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
  return { ready: { url: store.url }, close: () => store.close() };
});
