import { TOPICS, toKafkaRecord } from '@roster/contracts';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runConsumer } from '../src/kafka/consume.ts';
import { createLogger } from '../src/log.ts';
import {
  createProducer,
  type EmbeddedInfra,
  snapshot,
  startEmbeddedInfra,
  userChanged,
  waitFor,
} from '../src/testing/index.ts';

let infra: EmbeddedInfra;
beforeAll(async () => {
  infra = await startEmbeddedInfra('kit-offset-commits', {
    keys: ['directoryChanges', 'deadLetter'],
    partitions: 1,
  });
});
afterAll(async () => {
  await infra?.close();
});

const topic = TOPICS.directoryChanges.name;
const silent = createLogger('kit-offset-commits-test', 'silent');

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
