import {
  connectKafka,
  connectMongo,
  type Logger,
  type RunningConsumer,
  runConsumer,
} from '@roster/service-kit';
import type { MembershipConfig } from './config.ts';
import { type HandlerDeps, handleDirectoryChange, handleOrgChangeMessage } from './handlers.ts';
import { MembershipStore } from './store/store.ts';

/** Consumer group of the directory changes (user and group changes). */
export const MEMBERSHIP_GROUP_ID = 'roster-membership';
/**
 * Consumer group of the org changes. A separate group: kafkajs assigns every subscribed topic of
 * a group across all its members, so two consumers with different topics cannot share one group.
 */
export const MEMBERSHIP_ORG_GROUP_ID = 'roster-membership-org';

export interface MembershipOptions {
  /** consumer session settings (tests use short ones) */
  sessionTimeout?: number;
  heartbeatInterval?: number;
}

export interface RunningMembership {
  store: MembershipStore;
  /** resolves once both consumers joined their groups and fetch */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the membership step: converges workspace membership from directory and org changes. */
export const startMembership = async (
  config: MembershipConfig,
  log: Logger,
  options: MembershipOptions = {},
): Promise<RunningMembership> => {
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase);
  const store = new MembershipStore(mongo.db);
  await store.ensureIndexes();

  const { kafka, publisher } = await connectKafka('roster-membership', config, log, [
    'directoryChanges',
    'orgChanges',
    'stepOutcomes',
    'deadLetter',
  ]);
  const deps: HandlerDeps = { store, publisher, log };
  const consumers: RunningConsumer[] = [
    await runConsumer({
      kafka,
      log,
      groupId: MEMBERSHIP_GROUP_ID,
      topic: 'directoryChanges',
      handle: (change) => handleDirectoryChange(deps, change),
      ...options,
    }),
    await runConsumer({
      kafka,
      log,
      groupId: MEMBERSHIP_ORG_GROUP_ID,
      topic: 'orgChanges',
      handle: (change) => handleOrgChangeMessage(deps, change),
      ...options,
    }),
  ];
  log.info('membership service running');
  return {
    store,
    ready: Promise.all(consumers.map((c) => c.ready)).then(() => undefined),
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
      await publisher.close();
      await mongo.close();
    },
  };
};
