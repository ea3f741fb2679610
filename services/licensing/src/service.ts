import {
  connectKafka,
  connectMongo,
  type Logger,
  OrganizationSettings,
  runConsumer,
} from '@roster/service-kit';
import type { LicensingConfig } from './config.ts';
import { LicensingStore } from './licenses/store.ts';
import { processDirectoryChange } from './process.ts';

export const LICENSING_GROUP_ID = 'roster-licensing';

export interface RunningLicensing {
  /** Resolves once the consumer joined its group and fetches its partitions. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the licensing consumer: directory changes → licenses and seats → step outcomes. */
export const startLicensing = async (config: LicensingConfig, log: Logger): Promise<RunningLicensing> => {
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase);
  const store = new LicensingStore(mongo.client, mongo.db);
  await store.ensureIndexes();

  const { kafka, publisher } = await connectKafka('roster-licensing', config, log, [
    'directoryChanges',
    'stepOutcomes',
    'deadLetter',
  ]);
  const deps = {
    store,
    organizations: new OrganizationSettings(mongo.db),
    publisher,
    log,
    now: () => new Date().toISOString(),
  };
  const consumer = await runConsumer({
    kafka,
    log,
    groupId: LICENSING_GROUP_ID,
    topic: 'directoryChanges',
    handle: (message) => processDirectoryChange(deps, message),
    ...(config.sessionTimeout ? { sessionTimeout: config.sessionTimeout } : {}),
    ...(config.heartbeatInterval ? { heartbeatInterval: config.heartbeatInterval } : {}),
  });
  log.info('licensing service running');
  return {
    ready: consumer.ready,
    async stop() {
      await consumer.stop();
      await publisher.close();
      await mongo.close();
    },
  };
};
