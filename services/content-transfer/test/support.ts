import { randomUUID } from 'node:crypto';
import {
  CONTENT_ITEMS_COLLECTION,
  CONTENT_TRANSFERS_COLLECTION,
  type ContentItemDocument,
  type ContentTransferDocument,
  envelope,
  type StepOutcome,
  TOPICS,
  toKafkaRecord,
  type UserSnapshot,
} from '@roster/contracts';
import { startBroker } from '@roster/embedded-kafka';
import { startStore } from '@roster/embedded-mongo';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { type Db, MongoClient } from 'mongodb';

export const PARTITIONS = 3;

/** Polls until `check` returns a value (not undefined/false), or fails after the deadline. */
export const waitFor = async <T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

export interface Infra {
  brokers: string;
  mongoUrl: string;
  database: string;
  db: Db;
  kafka: Kafka;
  producer: Producer;
  outcomes: StepOutcome[];
  close(): Promise<void>;
}

/** Embedded broker and store on ephemeral ports, topics created, an outcome collector running. */
export const startInfra = async (): Promise<Infra> => {
  const broker = await startBroker({ port: 0, partitions: PARTITIONS });
  const store = await startStore({ port: 0 });
  const database = `content_${randomUUID().slice(0, 8)}`;
  const client = new MongoClient(store.url);
  await client.connect();
  const kafka = new Kafka({
    clientId: 'content-transfer-test',
    brokers: [broker.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [TOPICS.directoryChanges, TOPICS.stepOutcomes, TOPICS.deadLetter].map((t) => ({
      topic: t.name,
      numPartitions: PARTITIONS,
    })),
  });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const outcomes: StepOutcome[] = [];
  const collector = kafka.consumer({
    groupId: `outcomes-${randomUUID()}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 50,
  });
  await collector.connect();
  await collector.subscribe({ topic: TOPICS.stepOutcomes.name, fromBeginning: true });
  await collector.run({
    eachMessage: async ({ message }) => {
      outcomes.push(JSON.parse(message.value!.toString('utf8')) as StepOutcome);
    },
  });
  return {
    brokers: broker.brokers,
    mongoUrl: store.url,
    database,
    db: client.db(database),
    kafka,
    producer,
    outcomes,
    async close() {
      await collector.disconnect();
      await producer.disconnect();
      await client.close();
      await broker.close();
      await store.close();
    },
  };
};

/** A user in one org, with its own growing sequence, as the status service would publish it. */
export class TestUser {
  sequence = 0;
  snapshot: UserSnapshot;
  readonly tenant: string;

  constructor(tenant: string, name: string, extra: Partial<UserSnapshot> = {}) {
    const id = `${name}-${randomUUID().slice(0, 8)}`;
    this.tenant = tenant;
    this.snapshot = {
      id,
      userName: `${id}@corp.example`,
      email: `${id}@corp.example`,
      active: true,
      scimDeleted: false,
      organizationAdmin: false,
      ...extra,
    };
  }

  get id(): string {
    return this.snapshot.id;
  }

  /** The next directory change for this user (snapshot after `patch`). */
  change(
    change: 'provisioned' | 'updated' | 'deactivated' | 'reactivated',
    patch: Partial<UserSnapshot> = {},
    time = new Date(),
  ) {
    this.sequence += 1;
    this.snapshot = { ...this.snapshot, ...patch };
    return envelope(
      'roster.directory.user.changed.v1',
      {
        source: '/roster/status',
        tenant: this.tenant,
        subject: this.id,
        correlationid: randomUUID(),
        time: time.toISOString(),
      },
      { commandId: randomUUID(), change, sequence: this.sequence, user: this.snapshot, awaits: [] },
    );
  }
}

export type Change = ReturnType<TestUser['change']>;

export const send = async (infra: Infra, ...changes: Change[]): Promise<void> => {
  await infra.producer.send({
    topic: TOPICS.directoryChanges.name,
    acks: -1,
    messages: changes.map((c) => toKafkaRecord(c)),
  });
};

export const outcomesOf = (infra: Infra, commandId: string) =>
  infra.outcomes.filter((o) => o.data.commandId === commandId);

export const stateOf = (o: StepOutcome | undefined) =>
  o?.data.state?.step === 'content-transfer' ? o.data.state : undefined;

/** Waits for an outcome of `change` whose content-transfer state is `state`. */
export const waitForOutcome = (infra: Infra, change: Change, state: string, timeoutMs?: number) =>
  waitFor(
    `outcome ${state} for ${change.data.change} of ${change.subject}`,
    () => outcomesOf(infra, change.data.commandId).find((o) => stateOf(o)?.state === state),
    timeoutMs,
  );

/** Sends a change and waits until the service answered it (any state). */
export const apply = async (infra: Infra, change: Change) => {
  await send(infra, change);
  return waitFor(`an outcome for ${change.data.change} of ${change.subject}`, () =>
    outcomesOf(infra, change.data.commandId).at(-1),
  );
};

export const items = (infra: Infra) => infra.db.collection<ContentItemDocument>(CONTENT_ITEMS_COLLECTION);
export const transfers = (infra: Infra) =>
  infra.db.collection<ContentTransferDocument>(CONTENT_TRANSFERS_COLLECTION);

export const seedItems = async (infra: Infra, tenant: string, ownerUserId: string, count: number) => {
  const createdAt = new Date().toISOString();
  const docs: ContentItemDocument[] = Array.from({ length: count }, (_, i) => ({
    _id: randomUUID(),
    tenant,
    ownerUserId,
    title: `video ${i}`,
    kind: i % 10 === 0 ? 'folder' : 'video',
    folder: i % 3 === 0 ? 'Projects' : null,
    createdAt,
  }));
  for (let i = 0; i < docs.length; i += 1_000) await items(infra).insertMany(docs.slice(i, i + 1_000));
  return docs;
};
