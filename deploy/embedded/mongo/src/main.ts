import { parseArgs } from 'node:util';
import { listenHost, runServerProcess } from '@roster/embedded-process';
import { startStore } from './server.ts';

/**
 * CLI: node deploy/embedded/mongo/src/main.ts [--port N] [--data-dir DIR] [--repl-set NAME] [--host H]
 *      [--ttl-monitor-seconds N] [--syncdelay SECONDS]
 * The host defaults to MONGO_HOST, else 127.0.0.1 (a warning when it is not loopback).
 * Prints exactly one stdout line `READY {"url":...}` once accepting connections; logs go to stderr.
 */
const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} [embedded-mongo] ${line}\n`);
};

runServerProcess(log, async () => {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'repl-set': { type: 'string', default: 'rs0' },
      'ttl-monitor-seconds': { type: 'string', default: '60' },
      syncdelay: { type: 'string', default: '30' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const ttlMonitorSeconds = Number(values['ttl-monitor-seconds']);
  if (!(ttlMonitorSeconds > 0 && ttlMonitorSeconds <= 86_400)) {
    throw new Error(`invalid --ttl-monitor-seconds ${values['ttl-monitor-seconds']} (0 < N ≤ 86400)`);
  }
  const syncdelay = Number(values.syncdelay);
  if (!(syncdelay > 0 && syncdelay <= 86_400)) {
    throw new Error(`invalid --syncdelay ${values.syncdelay} (0 < SECONDS ≤ 86400)`);
  }
  const store = await startStore({
    port,
    host: listenHost(values.host, 'MONGO_HOST', log),
    dataDir: values['data-dir'],
    replSet: values['repl-set'],
    ttlMonitorIntervalMs: ttlMonitorSeconds * 1000,
    snapshotIntervalMs: syncdelay * 1000,
    logger: log,
  });
  return { ready: { url: store.url }, close: () => store.close() };
});
