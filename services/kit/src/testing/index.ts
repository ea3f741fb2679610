/**
 * Test support shared by the services' integration suites (import from
 * `@roster/service-kit/testing`, never from production code): the embedded broker and store on
 * ephemeral ports with plain kafkajs / mongodb clients, builders for the messages the services
 * consume, and collectors for what they publish. Nothing here mocks a server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type DeadLetter,
  envelope,
  ORGANIZATIONS_COLLECTION,
  type OrganizationDocument,
  type Step,
  type StepOutcome,
  TOPICS,
  type TopicKey,
  toKafkaRecord,
  type UserChanged,
  type UserSnapshot,
} from '@roster/contracts';
import { type RunningBroker, startBroker } from '@roster/embedded-kafka';
import { type RunningStore, startStore } from '@roster/embedded-mongo';
import { type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type Db, MongoClient } from 'mongodb';
import type { BaseConfig } from '../config.ts';
import { ensureTopics } from '../kafka/client.ts';

export { waitFor } from '@roster/test-support';
export { deciderSpec } from './decider-spec.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** Partitions of the topics in integration suites: few, so several partitions still get exercised. */
export const PARTITIONS = 3;

export interface EmbeddedInfra {
  broker: RunningBroker;
  store: RunningStore;
  kafka: Kafka;
  mongo: MongoClient;
  db: Db;
  database: string;
  /** The service configuration pointing at these servers (a database of its own per suite). */
  baseConfig: BaseConfig;
  close(): Promise<void>;
}

/** One embedded broker and store per suite, on ephemeral ports. */
export const startEmbeddedInfra = async (
  service: string,
  /** Topics created up front with this many partitions (e.g. one, to put messages in one sequence). */
  topics?: { keys: TopicKey[]; partitions: number },
): Promise<EmbeddedInfra> => {
  const [broker, store] = await Promise.all([startBroker({ port: 0 }), startStore({ port: 0 })]);
  const mongo = new MongoClient(store.url);
  await mongo.connect();
  const database = `${service.replaceAll('-', '_')}_${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({
    clientId: `${service}-test`,
    brokers: [broker.brokers],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 8 },
  });
  if (topics) {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, topics.keys, topics.partitions);
    await admin.disconnect();
  }
  return {
    broker,
    store,
    kafka,
    mongo,
    db: mongo.db(database),
    database,
    baseConfig: {
      kafkaBrokers: [broker.brokers],
      mongoUrl: store.url,
      mongoDatabase: database,
      topicPartitions: PARTITIONS,
    },
    async close() {
      await mongo.close();
      await Promise.all([broker.close(), store.close()]);
    },
  };
};

/** Inserts an organization the way the admin API does. */
export const createOrganization = async (
  db: Db,
  settings: Partial<Omit<OrganizationDocument, '_id'>> = {},
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

export const newTraceparent = (): string =>
  `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

export const snapshot = (id: string, overrides: Partial<UserSnapshot> = {}): UserSnapshot => ({
  id,
  userName: `${id}@example.com`,
  email: `${id}@example.com`,
  active: true,
  scimDeleted: false,
  organizationAdmin: false,
  ...overrides,
});

/** A directory change as the status service publishes it. */
export const userChanged = (
  tenant: string,
  sequence: number,
  user: UserSnapshot,
  change: UserChanged['data']['change'] = sequence === 1 ? 'provisioned' : 'updated',
  awaits: Step[] = [],
): UserChanged =>
  envelope(
    'roster.directory.user.changed.v1',
    {
      source: '/roster/status',
      tenant,
      subject: user.id,
      correlationid: randomUUID(),
      traceparent: newTraceparent(),
    },
    { commandId: randomUUID(), change, sequence, user, awaits },
  );

export const createProducer = async (kafka: Kafka): Promise<Producer> => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
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

/** Produces directory changes (or raw values) on roster.directory-changes.v1; returns the partitions used. */
export const produceChanges = async (
  producer: Producer,
  messages: (({ type: string } & Parameters<typeof toKafkaRecord>[0]) | { key: string; value: string })[],
): Promise<number[]> => {
  const metadata = await producer.send({
    topic: TOPICS.directoryChanges.name,
    acks: -1,
    messages: messages.map((m) => ('type' in m ? toKafkaRecord(m) : m)),
  });
  return metadata.map((m) => m.partition);
};
