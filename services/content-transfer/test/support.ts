import { randomUUID } from 'node:crypto';
import {
  CONTENT_ITEMS_COLLECTION,
  CONTENT_TRANSFERS_COLLECTION,
  type ContentItemDocument,
  type ContentTransferDocument,
  type DeadLetter,
  envelope,
  type StepOutcome,
  TOPICS,
  toKafkaRecord,
  type UserSnapshot,
} from '@roster/contracts';
import { ensureTopics } from '@roster/service-kit';
import {
  collectDeadLetters,
  collectOutcomes,
  createProducer,
  PARTITIONS,
  snapshot,
  startEmbeddedInfra,
  waitFor,
} from '@roster/service-kit/testing';
import type { Kafka, Producer } from 'kafkajs';
import type { Collection, Db } from 'mongodb';

/** A user in one org, with its own growing sequence, as the status service would publish it. */
export class TestUser {
  sequence = 0;
  snapshot: UserSnapshot;
  readonly tenant: string;

  constructor(tenant: string, name: string, extra: Partial<UserSnapshot> = {}) {
    const id = `${name}-${randomUUID().slice(0, 8)}`;
    this.tenant = tenant;
    this.snapshot = snapshot(id, { userName: `${id}@corp.example`, email: `${id}@corp.example`, ...extra });
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

export const stateOf = (o: StepOutcome | undefined) =>
  o?.data.state?.step === 'content-transfer' ? o.data.state : undefined;

/**
 * Embedded broker and store on ephemeral ports, topics created, collectors of the outcomes and
 * dead letters running, and the test's side of the service: sending changes, reading its
 * collections, waiting for its answers.
 */
export interface Infra {
  brokers: string;
  mongoUrl: string;
  database: string;
  db: Db;
  kafka: Kafka;
  producer: Producer;
  outcomes: StepOutcome[];
  deadLetters: DeadLetter[];
  items: Collection<ContentItemDocument>;
  transfers: Collection<ContentTransferDocument>;
  send(...changes: Change[]): Promise<void>;
  /** Sends a change and waits until the service answered it (any state). */
  apply(change: Change): Promise<StepOutcome>;
  outcomesOf(commandId: string): StepOutcome[];
  /** Waits for an outcome of `change` whose content-transfer state is `state`. */
  waitForOutcome(change: Change, state: string, timeoutMs?: number): Promise<StepOutcome>;
  /** Items the user owns, some in a folder, some folders themselves; inserted in chunks. */
  seedItems(tenant: string, ownerUserId: string, count: number): Promise<ContentItemDocument[]>;
  close(): Promise<void>;
}

export const startInfra = async (): Promise<Infra> => {
  const infra = await startEmbeddedInfra('content-transfer');
  const admin = infra.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['directoryChanges', 'stepOutcomes', 'deadLetter'], PARTITIONS);
  await admin.disconnect();
  const producer = await createProducer(infra.kafka);
  const outcomes = await collectOutcomes(infra.kafka);
  const deadLetters = await collectDeadLetters(infra.kafka);
  const items = infra.db.collection<ContentItemDocument>(CONTENT_ITEMS_COLLECTION);
  const outcomesOf = (commandId: string) => outcomes.messages.filter((o) => o.data.commandId === commandId);
  const send = async (...changes: Change[]) => {
    await producer.send({
      topic: TOPICS.directoryChanges.name,
      acks: -1,
      messages: changes.map((c) => toKafkaRecord(c)),
    });
  };
  return {
    brokers: infra.broker.brokers,
    mongoUrl: infra.store.url,
    database: infra.database,
    db: infra.db,
    kafka: infra.kafka,
    producer,
    outcomes: outcomes.messages,
    deadLetters: deadLetters.messages,
    items,
    transfers: infra.db.collection<ContentTransferDocument>(CONTENT_TRANSFERS_COLLECTION),
    send,
    async apply(change) {
      await send(change);
      return waitFor(() => outcomesOf(change.data.commandId).at(-1), {
        what: `an outcome for ${change.data.change} of ${change.subject}`,
      });
    },
    outcomesOf,
    waitForOutcome: (change, state, timeoutMs) =>
      waitFor(() => outcomesOf(change.data.commandId).find((o) => stateOf(o)?.state === state), {
        what: `outcome ${state} for ${change.data.change} of ${change.subject}`,
        timeoutMs,
      }),
    async seedItems(tenant, ownerUserId, count) {
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
      for (let i = 0; i < docs.length; i += 1_000) await items.insertMany(docs.slice(i, i + 1_000));
      return docs;
    },
    async close() {
      await Promise.all([outcomes.stop(), deadLetters.stop()]);
      await producer.disconnect();
      await infra.close();
    },
  };
};
