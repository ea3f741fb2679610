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
import { ensureTopics } from '@roster/service-kit';
import { collectOutcomes, createProducer, PARTITIONS, startEmbeddedInfra } from '@roster/service-kit/testing';
import type { Kafka, Producer } from 'kafkajs';
import type { Db } from 'mongodb';

export { PARTITIONS } from '@roster/service-kit/testing';

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
  const infra = await startEmbeddedInfra('content-transfer');
  const admin = infra.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['directoryChanges', 'stepOutcomes', 'deadLetter'], PARTITIONS);
  await admin.disconnect();
  const producer = await createProducer(infra.kafka);
  const outcomes = await collectOutcomes(infra.kafka);
  return {
    brokers: infra.broker.brokers,
    mongoUrl: infra.store.url,
    database: infra.database,
    db: infra.db,
    kafka: infra.kafka,
    producer,
    outcomes: outcomes.messages,
    async close() {
      await outcomes.stop();
      await producer.disconnect();
      await infra.close();
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
