import { TOPICS, toKafkaRecord } from '@roster/contracts';
import { MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runConsumer } from '../src/kafka/consume.ts';
import { InvariantViolation } from '../src/kafka/failure.ts';
import { createLogger } from '../src/log.ts';
import {
  collectDeadLetters,
  createProducer,
  type EmbeddedInfra,
  snapshot,
  startEmbeddedInfra,
  userChanged,
  waitFor,
} from '../src/testing/index.ts';

let infra: EmbeddedInfra;
beforeAll(async () => {
  // One partition: every message is in one sequence, so one fetch brings them as one batch.
  infra = await startEmbeddedInfra('kit-consume-batch', {
    keys: ['directoryChanges', 'deadLetter'],
    partitions: 1,
  });
});
afterAll(async () => {
  await infra?.close();
});

const silent = createLogger('kit-consume-batch-test', 'silent');

/** Messages on the topic before the consumer starts: its first fetch brings them together. */
const produced = async (records: { key: string; value: string }[]) => {
  const producer = await createProducer(infra.kafka);
  try {
    await producer.send({ topic: TOPICS.directoryChanges.name, acks: -1, messages: records });
  } finally {
    await producer.disconnect();
  }
};

const changesFor = (tenant: string, ids: string[]) =>
  ids.map((id) => toKafkaRecord(userChanged(tenant, 1, snapshot(id))) as { key: string; value: string });

test('messages fetched together are handled as one batch, in their order; a transient failure retries the whole batch', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `batched-${i}`);
  await produced(changesFor('org-batch', ids));
  const batches: string[][] = [];
  let transientFailures = 0;
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: silent,
    groupId: 'kit-batch-order',
    topic: 'directoryChanges',
    handle: async (change) => void batches.push([change.subject]),
    handleBatch: async (changes) => {
      if (transientFailures++ === 0) throw new MongoNetworkError('store unreachable');
      batches.push(changes.map((c) => c.subject));
    },
  });
  try {
    await waitFor(() => (batches.flat().length === ids.length ? true : undefined), {
      what: 'every message handled',
    });
    expect(batches.flat()).toEqual(ids);
    // The first fetch brought the messages together: one batch handled them (after one retry).
    expect(batches[0]!.length).toBeGreaterThan(1);
    expect(transientFailures).toBeGreaterThan(1);
  } finally {
    await consumer.stop();
  }
});

test('a fetch of many messages is handled a hundred messages at a time, in order', async () => {
  const ids = Array.from({ length: 250 }, (_, i) => `many-${i}`);
  await produced(changesFor('org-many', ids));
  const batches: string[][] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: silent,
    groupId: 'kit-batch-limit',
    topic: 'directoryChanges',
    handle: async (change) => void batches.push([change.subject]),
    handleBatch: async (changes) => void batches.push(changes.map((c) => c.subject)),
  });
  try {
    const ofThisTest = () => batches.flat().filter((id) => id.startsWith('many-'));
    await waitFor(() => (ofThisTest().length === ids.length ? true : undefined), {
      what: 'every message handled',
    });
    expect(ofThisTest()).toEqual(ids);
    expect(Math.max(...batches.map((b) => b.length))).toBe(100);
  } finally {
    await consumer.stop();
  }
});

test('a batch that fails permanently is handled message by message: the poisoned message is answered and dead-lettered, the others take effect', async () => {
  const deadLetters = await collectDeadLetters(infra.kafka);
  const ids = ['before', 'poison', 'after'];
  await produced([
    ...changesFor('org-poison', ids),
    { key: 'org-poison:broken', value: '{"not": "an envelope"' },
    ...changesFor('org-poison', ['last']),
  ]);
  const handledOneByOne: string[] = [];
  const batches: string[][] = [];
  const poisoned: string[] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: silent,
    groupId: 'kit-batch-poison',
    topic: 'directoryChanges',
    handle: async (change) => {
      if (change.subject === 'poison') throw new InvariantViolation('this user must not exist');
      if (change.tenant === 'org-poison') handledOneByOne.push(change.subject);
    },
    handleBatch: async (changes) => {
      if (changes.some((c) => c.subject === 'poison')) throw new InvariantViolation('a member is poisoned');
      // The first test's messages are on the topic too: only this test's count.
      batches.push(changes.filter((c) => c.tenant === 'org-poison').map((c) => c.subject));
    },
    onPoison: async (change) => void poisoned.push(change.subject),
  });
  try {
    await waitFor(() => (deadLetters.messages.length === 2 ? true : undefined), {
      what: 'the contract breaker and the poisoned message parked',
    });
    await waitFor(() => ([...handledOneByOne, ...batches.flat()].includes('last') ? true : undefined), {
      what: 'the last message handled',
    });
    expect([...handledOneByOne, ...batches.flat()].sort()).toEqual(['after', 'before', 'last']);
    expect(handledOneByOne).toEqual(expect.arrayContaining(['before', 'after']));
    expect(poisoned).toEqual(['poison']);
    expect(deadLetters.messages.map((l) => l.error.kind).sort()).toEqual(['failed', 'unparseable']);
    expect(deadLetters.messages.find((l) => l.error.kind === 'failed')?.error.message).toBe(
      'InvariantViolation: this user must not exist',
    );
  } finally {
    await deadLetters.stop();
    await consumer.stop();
  }
});

const topic = TOPICS.directoryChanges.name;

/** The group's committed offset on the topic's only partition (-1: none yet). */
const committed = async (groupId: string): Promise<bigint> => {
  const admin = infra.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return BigInt(offsets?.partitions[0]?.offset ?? '-1');
  } finally {
    await admin.disconnect();
  }
};

test('handled offsets are committed once in a while, not after every batch, and a partition gone quiet is committed all the same', async () => {
  const producer = await createProducer(infra.kafka);
  const handled: string[] = [];
  let batches = 0;
  let commits = 0;
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: silent,
    groupId: 'kit-commits-interval',
    topic: 'directoryChanges',
    handle: async (change) => void handled.push(change.subject),
  });
  consumer.consumer.on(consumer.consumer.events.END_BATCH_PROCESS, () => void batches++);
  consumer.consumer.on(consumer.consumer.events.COMMIT_OFFSETS, () => void commits++);
  try {
    await consumer.ready;
    // One message at a time, each handled before the next is sent: one batch each.
    let last = '';
    for (let i = 0; i < 20; i++) {
      const [sent] = await producer.send({
        topic,
        acks: -1,
        messages: [toKafkaRecord(userChanged('org-commits', 1, snapshot(`one-by-one-${i}`)))],
      });
      last = sent!.baseOffset!;
      await waitFor(() => (handled.includes(`one-by-one-${i}`) ? true : undefined), { what: `message ${i}` });
    }
    // Nothing more arrives: the last offsets are committed by the timer.
    await waitFor(
      async () => ((await committed('kit-commits-interval')) === BigInt(last) + 1n ? true : undefined),
      {
        what: 'the last offset committed',
      },
    );
    expect(batches).toBeGreaterThanOrEqual(20);
    expect(commits).toBeLessThan(batches / 2);
  } finally {
    await producer.disconnect();
    await consumer.stop();
  }
});

test('a consumer that stops commits what it handled: its successor starts after it', async () => {
  const producer = await createProducer(infra.kafka);
  const handled: string[] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: silent,
    groupId: 'kit-commits-stop',
    topic: 'directoryChanges',
    handle: async (change) => void handled.push(change.subject),
  });
  try {
    await consumer.ready;
    const [sent] = await producer.send({
      topic,
      acks: -1,
      messages: [toKafkaRecord(userChanged('org-commits', 1, snapshot('before-stop')))],
    });
    await waitFor(() => (handled.includes('before-stop') ? true : undefined), {
      what: 'the message handled',
    });
    await consumer.stop();
    expect(await committed('kit-commits-stop')).toBe(BigInt(sent!.baseOffset!) + 1n);
  } finally {
    await producer.disconnect();
  }
});
