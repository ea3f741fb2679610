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
