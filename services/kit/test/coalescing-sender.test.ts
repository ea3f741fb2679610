import { randomUUID } from 'node:crypto';
import type { KafkaRecord } from '@roster/contracts';
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CoalescingSender,
  recordBytes,
  sizedRuns,
  takeCount,
  topicMessagesOf,
} from '../src/kafka/coalescing-sender.ts';
import { IDEMPOTENT_PRODUCER } from '../src/kafka/publisher.ts';
import { collect, type EmbeddedInfra, startEmbeddedInfra, waitFor } from '../src/testing/index.ts';

const record = (key: string, value = key): KafkaRecord => ({ key, value, headers: {} });

describe('what one request carries', () => {
  test('publishes from the front of the queue while they fit together; the first always', () => {
    expect(takeCount([{ bytes: 10 }, { bytes: 20 }, { bytes: 30 }, { bytes: 5 }], 35)).toBe(2);
    expect(takeCount([{ bytes: 100 }, { bytes: 1 }], 35)).toBe(1);
    expect(takeCount([{ bytes: 1 }, { bytes: 1 }], 35)).toBe(2);
    expect(takeCount([], 35)).toBe(0);
  });

  test('one entry per topic, records in queue order', () => {
    const topics = topicMessagesOf([
      { topic: 'a', records: [record('1'), record('2')] },
      { topic: 'b', records: [record('3')] },
      { topic: 'a', records: [record('4')] },
    ]);
    expect(topics.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['a', ['1', '2', '4']],
      ['b', ['3']],
    ]);
  });

  test('records split into runs under the size limit; a larger record runs alone', () => {
    const small = record('k', 'x'.repeat(40));
    const large = record('k', 'x'.repeat(200));
    const runs = sizedRuns([small, small, large, small], 100);
    expect(runs.map((run) => run.length)).toEqual([2, 1, 1]);
    expect(runs.flat()).toEqual([small, small, large, small]);
    expect(recordBytes(small)).toBe(41);
  });
});

describe('against the broker', () => {
  let infra: EmbeddedInfra;
  let admin: Admin;
  let producer: Producer;
  beforeAll(async () => {
    infra = await startEmbeddedInfra('kit-coalescing');
    admin = infra.kafka.admin();
    await admin.connect();
    producer = infra.kafka.producer(IDEMPOTENT_PRODUCER);
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await infra?.close();
  });

  const newTopic = async (configEntries: { name: string; value: string }[] = []): Promise<string> => {
    const topic = `coalescing-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries }], waitForLeaders: true });
    return topic;
  };
  const produceRequests = () => infra.broker.requestsServed().Produce ?? 0;

  test('concurrent publishes share requests, and each arrives whole and in its order', async () => {
    const [first, second] = [await newTopic(), await newTopic()];
    const received = [await collect<string>(infra.kafka, first), await collect<string>(infra.kafka, second)];
    const sender = new CoalescingSender(producer);
    try {
      const publishes = Array.from({ length: 40 }, (_, i) => ({
        topic: i % 2 === 0 ? first : second,
        records: [0, 1, 2].map((n) => record(`p${i}`, JSON.stringify(`p${i}-${n}`))),
      }));
      const before = produceRequests();
      await Promise.all(publishes.map((p) => sender.send(p.topic, p.records)));
      const requests = produceRequests() - before;
      // the first goes alone; the others wait for it and share what follows
      expect(requests).toBeLessThan(publishes.length / 4);
      await waitFor(() => (received.every((r) => r.messages.length >= 60) ? true : undefined), {
        what: 'every published record',
      });
      for (const [index, topic] of [first, second].entries()) {
        const expected = publishes
          .filter((p) => p.topic === topic)
          .flatMap((p) => p.records.map((r) => JSON.parse(r.value)));
        expect(received[index]!.messages).toEqual(expected);
      }
    } finally {
      await Promise.all(received.map((r) => r.stop()));
    }
  });

  test('a publish the broker refuses fails alone; the ones sent with it are delivered', async () => {
    // the topic refuses record batches past 2 KB, far below the sender's request size
    const strict = await newTopic([{ name: 'max.message.bytes', value: '2048' }]);
    const received = await collect<string>(infra.kafka, strict);
    const sender = new CoalescingSender(producer);
    try {
      const blocker = sender.send(strict, [record('first', JSON.stringify('first'))]);
      const refused = sender.send(strict, [record('big', JSON.stringify('x'.repeat(4096)))]);
      const others = Array.from({ length: 5 }, (_, i) =>
        sender.send(strict, [record(`ok${i}`, JSON.stringify(`ok${i}`))]),
      );
      await expect(refused).rejects.toThrow(/larger than the max message size/);
      await Promise.all([blocker, ...others]);
      const expected = ['first', ...Array.from({ length: 5 }, (_, i) => `ok${i}`)];
      await waitFor(() => (expected.every((id) => received.messages.includes(id)) ? true : undefined), {
        what: 'every accepted publish',
      });
      expect(received.messages).not.toContain('x'.repeat(4096));
    } finally {
      await received.stop();
    }
  });
});
