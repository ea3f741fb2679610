import { randomUUID } from 'node:crypto';
import {
  type DeadLetter,
  envelope,
  type License,
  ORGANIZATIONS_COLLECTION,
  type OrganizationDocument,
  type StepOutcome,
  TOPICS,
  toKafkaRecord,
  type UserChanged,
  type UserSnapshot,
} from '@roster/contracts';
import { type RunningBroker, startBroker } from '@roster/embedded-kafka';
import { type RunningStore, startStore } from '@roster/embedded-mongo';
import { createLogger, type Logger } from '@roster/service-kit';
import { type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type Db, MongoClient } from 'mongodb';
import type { LicensingConfig } from '../src/config.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

export const PARTITIONS = 3;

/** Polls `fn` until it returns a truthy value; fails after `timeoutMs`. */
export const waitFor = async <T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = {},
): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};

export const quietLog = (): Logger => createLogger('licensing', process.env.LOG_LEVEL ?? 'silent');

/** One embedded broker and store per suite, with plain kafkajs / mongodb clients for the test side. */
export interface Infra {
  broker: RunningBroker;
  store: RunningStore;
  kafka: Kafka;
  mongo: MongoClient;
  db: Db;
  database: string;
  config(): LicensingConfig;
  close(): Promise<void>;
}

export const startInfra = async (): Promise<Infra> => {
  const [broker, store] = await Promise.all([startBroker({ port: 0 }), startStore({ port: 0 })]);
  const mongo = new MongoClient(store.url);
  await mongo.connect();
  const database = `licensing_${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({
    clientId: 'licensing-test',
    brokers: [broker.brokers],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 8 },
  });
  return {
    broker,
    store,
    kafka,
    mongo,
    db: mongo.db(database),
    database,
    config: () => ({
      kafkaBrokers: [broker.brokers],
      mongoUrl: store.url,
      mongoDatabase: database,
      topicPartitions: PARTITIONS,
      logLevel: 'silent',
      sessionTimeout: 6_000,
      heartbeatInterval: 200,
    }),
    async close() {
      await mongo.close();
      await Promise.all([broker.close(), store.close()]);
    },
  };
};

export const createOrganization = async (
  db: Db,
  settings: Partial<Pick<OrganizationDocument, 'defaultLicense' | 'seatLimits'>> = {},
): Promise<OrganizationDocument> => {
  const org: OrganizationDocument = {
    _id: randomUUID(),
    name: 'Test org',
    domains: ['example.com'],
    autoCapture: true,
    ssoConfigured: true,
    defaultLicense: 'org-free-license',
    roleType: 'synthesia_role',
    seatLimits: {},
    createdAt: new Date().toISOString(),
    ...settings,
  };
  await db.collection<OrganizationDocument>(ORGANIZATIONS_COLLECTION).insertOne(org);
  return org;
};

export const newUserId = (): string => randomUUID();

export const snapshot = (id: string, overrides: Partial<UserSnapshot> = {}): UserSnapshot => ({
  id,
  userName: `${id}@example.com`,
  email: `${id}@example.com`,
  active: true,
  scimDeleted: false,
  organizationAdmin: false,
  ...overrides,
});

export const userChanged = (
  tenant: string,
  sequence: number,
  user: UserSnapshot,
  change: UserChanged['data']['change'] = sequence === 1 ? 'provisioned' : 'updated',
): UserChanged =>
  envelope(
    'roster.directory.user.changed.v1',
    {
      source: '/roster/status',
      tenant,
      subject: user.id,
      correlationid: randomUUID(),
      traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
    },
    { commandId: randomUUID(), change, sequence, user, awaits: ['licensing'] },
  );

export const createProducer = async (kafka: Kafka): Promise<Producer> => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
};

/** Produces directory changes (or raw values) on roster.directory-changes.v1; returns the partitions used. */
export const produceChanges = async (
  producer: Producer,
  messages: (UserChanged | { key: string; value: string })[],
): Promise<number[]> => {
  const metadata = await producer.send({
    topic: TOPICS.directoryChanges.name,
    acks: -1,
    messages: messages.map((m) => ('type' in m ? toKafkaRecord(m) : m)),
  });
  return metadata.map((m) => m.partition);
};

/** Collects every message of a topic (from the beginning) into an array. */
export interface Collector<T> {
  messages: T[];
  stop(): Promise<void>;
}

export const collect = async <T>(kafka: Kafka, topic: string): Promise<Collector<T>> => {
  const consumer: Consumer = kafka.consumer({
    groupId: `test-${randomUUID()}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 50,
  });
  const messages: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(JSON.parse(message.value!.toString('utf8')) as T);
    },
  });
  return { messages, stop: () => consumer.disconnect() };
};

export const collectOutcomes = (kafka: Kafka) => collect<StepOutcome>(kafka, TOPICS.stepOutcomes.name);
export const collectDeadLetters = (kafka: Kafka) => collect<DeadLetter>(kafka, TOPICS.deadLetter.name);

/** The outcome answering `change` (same causation), once it arrived. */
export const outcomeOf = (outcomes: StepOutcome[], change: UserChanged): StepOutcome | undefined =>
  outcomes.find((o) => o.causationid === change.id);

export const waitForOutcome = (outcomes: StepOutcome[], change: UserChanged): Promise<StepOutcome> =>
  waitFor(() => outcomeOf(outcomes, change), { what: `the outcome of ${change.id}` });

export type SeatCounts = Partial<Record<License, number>>;
