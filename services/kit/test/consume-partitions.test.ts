import { TOPICS, toKafkaRecord } from '@roster/contracts';
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

const PARTITIONS = 3;

let infra: EmbeddedInfra;
beforeAll(async () => {
  infra = await startEmbeddedInfra('kit-consume-partitions', {
    keys: ['directoryChanges', 'deadLetter'],
    partitions: PARTITIONS,
  });
});
afterAll(async () => {
  await infra?.close();
});

const silent = createLogger('kit-consume-partitions-test', 'silent');

/** `count` changes of `tenant` on the topic before a consumer starts, dealt over the partitions in turn. */
const producedOverPartitions = async (tenant: string, count: number) => {
  const ids = Array.from({ length: count }, (_, i) => `${tenant}-${i}`);
  const producer = await createProducer(infra.kafka);
  try {
    await producer.send({
      topic: TOPICS.directoryChanges.name,
      acks: -1,
      messages: ids.map((id, i) => ({
        ...toKafkaRecord(userChanged(tenant, 1, snapshot(id))),
        partition: i % PARTITIONS,
      })),
    });
  } finally {
    await producer.disconnect();
  }
  return ids;
};

const partitionOf = (id: string) => Number(id.split('-').at(-1)) % PARTITIONS;

test('the partitions one fetch brought are handled as one batch, each partition in its order', async () => {
  const ids = await producedOverPartitions('org-together', 30);
  const batches: string[][] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: silent,
    groupId: 'kit-partitions-together',
    topic: 'directoryChanges',
    handle: async (change) => void batches.push([change.subject]),
    handleBatch: async (changes) =>
      void batches.push(changes.filter((c) => c.tenant === 'org-together').map((c) => c.subject)),
  });
  try {
    await waitFor(() => (batches.flat().length === ids.length ? true : undefined), {
      what: 'every message handled',
    });
    expect([...batches.flat()].sort()).toEqual([...ids].sort());
    // The first fetch brought every partition: one batch holds messages of all of them.
    expect(new Set(batches[0]!.map(partitionOf)).size).toBe(PARTITIONS);
    for (let partition = 0; partition < PARTITIONS; partition++)
      expect(batches.flat().filter((id) => partitionOf(id) === partition)).toEqual(
        ids.filter((id) => partitionOf(id) === partition),
      );
  } finally {
    await consumer.stop();
  }
});

test('a message that poisons a batch of several partitions is dead-lettered; the other partitions take effect', async () => {
  const deadLetters = await collectDeadLetters(infra.kafka);
  const ids = await producedOverPartitions('org-poisoned', 9);
  const poisonId = ids[4]!;
  const handled: string[] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: silent,
    groupId: 'kit-partitions-poison',
    topic: 'directoryChanges',
    handle: async (change) => {
      if (change.subject === poisonId) throw new InvariantViolation('this user must not exist');
      if (change.tenant === 'org-poisoned') handled.push(change.subject);
    },
    handleBatch: async (changes) => {
      if (changes.some((c) => c.subject === poisonId)) throw new InvariantViolation('a member is poisoned');
      handled.push(...changes.filter((c) => c.tenant === 'org-poisoned').map((c) => c.subject));
    },
  });
  try {
    await waitFor(() => (handled.length === ids.length - 1 ? true : undefined), {
      what: 'every other message handled',
    });
    await waitFor(
      () => (deadLetters.messages.some((l) => l.origin.key?.includes(poisonId)) ? true : undefined),
      {
        what: 'the poisoned message parked',
      },
    );
    expect([...handled].sort()).toEqual(ids.filter((id) => id !== poisonId).sort());
  } finally {
    await deadLetters.stop();
    await consumer.stop();
  }
});
