import {
  connectKafka,
  connectMongo,
  type Logger,
  type RunningConsumer,
  runConsumer,
} from '@roster/service-kit';
import type { FastifyInstance } from 'fastify';
import type { ContentTransferConfig } from './config.ts';
import { handleDirectoryChange } from './handle.ts';
import { buildHttp } from './http.ts';
import { ContentStore } from './store.ts';

export const CONTENT_TRANSFER_GROUP_ID = 'roster-content-transfer';

export interface RunningContentTransfer {
  /** the development seeding endpoint's base URL (only with ROSTER_DEV_MODE=true) */
  url: string | undefined;
  consumer: RunningConsumer;
  stop(): Promise<void>;
}

/** Starts the content-transfer consumer (and, in development mode, its seeding endpoint). */
export const startContentTransfer = async (
  config: ContentTransferConfig,
  log: Logger,
): Promise<RunningContentTransfer> => {
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase);
  const store = new ContentStore(mongo.db);
  await store.ensureIndexes();

  const { kafka, publisher } = await connectKafka('roster-content-transfer', config, log, [
    'directoryChanges',
    'stepOutcomes',
    'deadLetter',
  ]);
  let stopping = false;
  const deps = {
    isStopping: () => stopping,
    store,
    publisher,
    log,
    batchSize: config.batchSize,
    batchDelayMs: config.batchDelayMs,
    leaseMs: config.leaseMs,
  };

  let http: FastifyInstance | undefined;
  let url: string | undefined;
  if (config.devMode) {
    http = buildHttp(store);
    await http.listen({ port: config.httpPort, host: config.httpHost });
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    const host = config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost;
    url = `http://${host}:${port}`;
  }

  const consumer = await runConsumer({
    kafka,
    log,
    groupId: CONTENT_TRANSFER_GROUP_ID,
    topic: 'directoryChanges',
    sessionTimeout: config.sessionTimeout,
    heartbeatInterval: config.heartbeatInterval,
    handle: (message, delivery) => handleDirectoryChange(deps, message, delivery.heartbeat),
  });
  log.info({ batchSize: config.batchSize, devMode: config.devMode, url }, 'content-transfer service running');
  return {
    url,
    consumer,
    async stop() {
      stopping = true;
      await http?.close();
      await consumer.stop();
      await publisher.close();
      await mongo.close();
    },
  };
};
