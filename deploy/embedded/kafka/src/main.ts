/**
 * CLI: node deploy/embedded/kafka/src/main.ts [--port N] [--host H] [--data-dir DIR]
 *      [--partitions N] [--retention-bytes N] [--max-frame-bytes N] [--message-max-bytes N]
 *      [--no-auto-create] [--metrics-port N]
 * The host defaults to KAFKA_HOST, else 127.0.0.1 (a warning when it is not loopback).
 * Prints one line `READY {"brokers":"127.0.0.1:PORT"}` on stdout once accepting
 * connections (with `"metrics": "<url>"` when --metrics-port is given: request counts by API as
 * Prometheus text); logs go to stderr; SIGTERM/SIGINT close it cleanly.
 */
import { parseArgs } from 'node:util';
import { listenHost, runServerProcess } from '@roster/embedded-process';
import { startBroker } from './index.ts';
import { serveRequestMetrics } from './metrics-endpoint.ts';

function log(line: string): void {
  process.stderr.write(`[embedded-kafka] ${line}\n`);
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    log(`--${name} must be a non-negative integer, got '${value}'`);
    process.exit(2);
  }
  return n;
}

runServerProcess(log, async () => {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      partitions: { type: 'string' },
      'retention-bytes': { type: 'string' },
      'max-frame-bytes': { type: 'string' },
      'message-max-bytes': { type: 'string' },
      'no-auto-create': { type: 'boolean' },
      'metrics-port': { type: 'string' },
    },
    strict: true,
  });
  const partitions = int('partitions', values.partitions);
  if (partitions === 0) {
    log('--partitions must be at least 1');
    process.exit(2);
  }
  const host = listenHost(values.host, 'KAFKA_HOST', log);
  const metricsPort = int('metrics-port', values['metrics-port']);
  const broker = await startBroker({
    port: int('port', values.port) ?? 9092,
    host,
    dataDir: values['data-dir'],
    partitions,
    retentionBytes: int('retention-bytes', values['retention-bytes']),
    maxFrameBytes: int('max-frame-bytes', values['max-frame-bytes']),
    messageMaxBytes: int('message-max-bytes', values['message-max-bytes']),
    autoCreateTopics: !values['no-auto-create'],
    logger: log,
  });
  const metrics =
    metricsPort === undefined ? undefined : await serveRequestMetrics(broker, host, metricsPort);
  return {
    ready: { brokers: broker.brokers, ...(metrics ? { metrics: metrics.url } : {}) },
    close: async () => {
      await metrics?.close();
      await broker.close();
    },
  };
});
