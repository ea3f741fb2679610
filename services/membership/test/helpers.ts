import { randomBytes, randomUUID } from 'node:crypto';
import {
  envelope,
  type GroupChanged,
  ORGANIZATIONS_COLLECTION,
  type OrganizationDocument,
  type OrganizationSettingsChanged,
  type StepOutcome,
  TOPICS,
  toKafkaRecord,
  type UserChanged,
  type UserSnapshot,
  WORKSPACES_COLLECTION,
  type WorkspaceChanged,
  type WorkspaceDocument,
} from '@roster/contracts';
import { type RunningBroker, startBroker } from '@roster/embedded-kafka';
import { type RunningStore, startStore } from '@roster/embedded-mongo';
import { createLogger, type Logger } from '@roster/service-kit';
import { type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type Db, MongoClient } from 'mongodb';
import type { MembershipConfig } from '../src/config.ts';

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

export const quietLog = (): Logger => createLogger('membership', process.env.LOG_LEVEL ?? 'silent');

export interface Infra {
  broker: RunningBroker;
  store: RunningStore;
  kafka: Kafka;
  mongo: MongoClient;
  db: Db;
  config: MembershipConfig;
  close(): Promise<void>;
}

/** One embedded broker and store per suite, with plain kafkajs / mongodb clients for the test side. */
export const startInfra = async (): Promise<Infra> => {
  const [broker, store] = await Promise.all([startBroker({ port: 0 }), startStore({ port: 0 })]);
  const mongo = new MongoClient(store.url);
  await mongo.connect();
  const database = `membership_${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({
    clientId: 'membership-test',
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
    config: {
      kafkaBrokers: [broker.brokers],
      mongoUrl: store.url,
      mongoDatabase: database,
      topicPartitions: PARTITIONS,
      logLevel: 'silent',
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
  settings: Partial<Pick<OrganizationDocument, 'autoCapture' | 'domains'>> = {},
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

/** Inserts a workspace the way the admin API does. */
export const createWorkspace = async (
  db: Db,
  tenant: string,
  name: string,
  isDefault = false,
): Promise<WorkspaceDocument> => {
  const workspace: WorkspaceDocument = {
    _id: randomUUID(),
    tenant,
    name,
    isDefault,
    createdAt: new Date().toISOString(),
  };
  await db.collection<WorkspaceDocument>(WORKSPACES_COLLECTION).insertOne(workspace);
  return workspace;
};

/** Renames a workspace the way the admin API does. */
export const renameWorkspace = async (
  db: Db,
  workspace: WorkspaceDocument,
  name: string,
): Promise<WorkspaceDocument> => {
  await db
    .collection<WorkspaceDocument>(WORKSPACES_COLLECTION)
    .updateOne({ _id: workspace._id }, { $set: { name } });
  return { ...workspace, name };
};

const traceparent = (): string =>
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
      traceparent: traceparent(),
    },
    { commandId: randomUUID(), change, sequence, user, awaits: ['membership'] },
  );

export const groupChanged = (
  tenant: string,
  sequence: number,
  group: GroupChanged['data']['group'],
  change: GroupChanged['data']['change'] = sequence === 1 ? 'created' : 'updated',
): GroupChanged =>
  envelope(
    'roster.directory.group.changed.v1',
    {
      source: '/roster/status',
      tenant,
      subject: group.id,
      correlationid: randomUUID(),
      traceparent: traceparent(),
    },
    { commandId: randomUUID(), change, sequence, group, awaits: ['membership'] },
  );

export const workspaceChanged = (
  workspace: WorkspaceDocument,
  change: WorkspaceChanged['data']['change'],
  previousName?: string,
): WorkspaceChanged =>
  envelope(
    'roster.org.workspace.changed.v1',
    {
      source: '/roster/ingress',
      tenant: workspace.tenant,
      subject: workspace._id,
      correlationid: randomUUID(),
    },
    {
      change,
      workspace: { id: workspace._id, name: workspace.name, isDefault: workspace.isDefault },
      ...(previousName === undefined ? {} : { previousName }),
    },
  );

export const createProducer = async (kafka: Kafka): Promise<Producer> => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
};

export const produce = async (
  producer: Producer,
  topic: 'directoryChanges' | 'orgChanges',
  ...events: (UserChanged | GroupChanged | WorkspaceChanged | OrganizationSettingsChanged)[]
): Promise<void> => {
  await producer.send({ topic: TOPICS[topic].name, acks: -1, messages: events.map(toKafkaRecord) });
};

/** Collects every step outcome published during the suite. */
export interface OutcomeLog {
  outcomes: StepOutcome[];
  consumer: Consumer;
}

export const collectOutcomes = async (kafka: Kafka): Promise<OutcomeLog> => {
  const outcomes: StepOutcome[] = [];
  const consumer = kafka.consumer({
    groupId: `membership-test-${randomUUID()}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.stepOutcomes.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value) outcomes.push(JSON.parse(message.value.toString('utf8')) as StepOutcome);
    },
  });
  return { outcomes, consumer };
};
