/**
 * @roster/embedded-kafka — a single-node, Kafka-wire-compatible broker for development
 * and tests (not for production). See README.md.
 */

import fs from 'node:fs';
import { type DataDirLock, lockDataDir } from '@roster/embedded-process';
import type { BrokerContext } from './context.ts';
import { GroupCoordinator } from './group/coordinator.ts';
import { OffsetStore } from './group/offsetStore.ts';
import { TopicStore } from './log/topicStore.ts';
import { handlers } from './protocol/requests/index.ts';
import { Server } from './server.ts';

export interface BrokerOptions {
  /** TCP port; 0 (default) picks an ephemeral port. */
  port?: number;
  /** Listen and advertised host (default 127.0.0.1). */
  host?: string;
  /** Persist logs, topics and committed offsets here; in memory when absent. */
  dataDir?: string;
  /** Partitions of auto-created topics (default 3). */
  partitions?: number;
  /** Create unknown topics on Metadata requests (default true). */
  autoCreateTopics?: boolean;
  /** Per-partition retention in bytes (default: unlimited). */
  retentionBytes?: number;
  /** Largest accepted request frame, Kafka's `socket.request.max.bytes` (default 100 MiB). */
  maxFrameBytes?: number;
  /**
   * Kafka's `message.max.bytes`: a larger record batch is refused with MESSAGE_TOO_LARGE (default
   * 1048588, Kafka's own default). A topic created with the `max.message.bytes` config uses that.
   */
  messageMaxBytes?: number;
  /** Receives log lines (default: none). */
  logger?: (line: string) => void;
}

export interface RunningBroker {
  /** "host:port", ready for kafkajs's `brokers` option */
  brokers: string;
  port: number;
  /** Requests received since start, by API name (`Produce`, `Fetch`, `Heartbeat`…). */
  requestsServed(): Record<string, number>;
  close(): Promise<void>;
}

const NODE_ID = 0;
/** Apache Kafka's default `message.max.bytes`: 1 MiB plus the 12-byte log overhead of a batch. */
export const DEFAULT_MESSAGE_MAX_BYTES = 1_048_588;

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? (() => {});
  const dataDir = options.dataDir ?? null;
  const lock = dataDir ? lockDataDirCreating(dataDir, log) : undefined;
  const topics = new TopicStore({
    dataDir,
    retentionBytes: options.retentionBytes ?? null,
    cacheBytesPerPartition: 8 * 1024 * 1024,
    logger: log,
  });
  const offsets = new OffsetStore(dataDir, log);
  const groups = new GroupCoordinator(log);
  let producerId = Date.now();
  const ctx: BrokerContext = {
    nodeId: NODE_ID,
    host,
    port: options.port ?? 0,
    clusterId: 'roster-embedded-kafka',
    defaultPartitions: options.partitions ?? 3,
    autoCreateTopics: options.autoCreateTopics ?? true,
    messageMaxBytes: options.messageMaxBytes ?? DEFAULT_MESSAGE_MAX_BYTES,
    topics,
    offsets,
    groups,
    log,
    nextProducerId: () => producerId++,
    pending: new Set(),
  };
  const server = new Server(ctx, handlers, options.maxFrameBytes ?? 100 * 1024 * 1024);
  let port: number;
  try {
    port = await server.listen(ctx.port, host);
  } catch (err) {
    groups.close();
    offsets.close();
    topics.close();
    lock?.release();
    throw err;
  }
  ctx.port = port;
  log(`listening on ${host}:${port}${dataDir ? ` (data dir ${dataDir})` : ' (in memory)'}`);
  let closing: Promise<void> | null = null;
  return {
    brokers: `${host}:${port}`,
    port,
    requestsServed: () => Object.fromEntries(server.requestsServed),
    close() {
      closing ??= (async () => {
        for (const cancel of [...ctx.pending]) cancel();
        groups.close();
        await server.close();
        offsets.close();
        topics.close();
        lock?.release();
        log('closed');
      })();
      return closing;
    },
  };
}

/** One broker per data directory (see `lockDataDir`: a crashed owner's lock is taken over). */
function lockDataDirCreating(dataDir: string, log: (line: string) => void): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  return lockDataDir(dataDir, log);
}
