import { waitFor } from '@roster/test-support';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../src/index.ts';
import { brokerLog, client, fastConsumer, tempDir } from './helpers.ts';

/**
 * A message counts as consumed only once its offset commit succeeded, so a commit
 * rejected by a rebalance (REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION) leaves the message
 * to be redelivered, and the final tally must contain every message exactly once.
 */
function committingConsumer(kafka: Kafka, groupId: string, topic: string, sink: string[], memberTag: string) {
  const consumer = kafka.consumer({ groupId, ...fastConsumer });
  const assigned: number[][] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned.push([...(e.payload.memberAssignment[topic] ?? [])]);
  });
  const start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
        sink.push(`${message.value!.toString()}@${memberTag}`);
      },
    });
  };
  return { consumer, assigned, start };
}

function values(sink: string[]): string[] {
  return sink.map((s) => s.slice(0, s.lastIndexOf('@')));
}

describe('consumer groups', () => {
  let broker: RunningBroker;
  let kafka: Kafka;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      dataDir: await tempDir('group'),
      partitions: 4,
      logger: brokerLog,
    });
    kafka = client(broker.brokers);
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    for (const c of consumers) await c.disconnect().catch(() => {});
    await producer?.disconnect();
    await broker?.close();
  });

  it('rebalances two members on join and on leave without losing or repeating messages', async () => {
    const topic = 'rebalance';
    const groupId = 'g-rebalance';
    const sink: string[] = [];
    let next = 0;
    const produce = async (n: number) => {
      const messages = Array.from({ length: n }, () => {
        const i = next++;
        return { key: `k${i}`, value: `m${i}` };
      });
      await producer.send({ topic, messages });
    };
    await produce(40);

    const a = committingConsumer(kafka, groupId, topic, sink, 'a');
    consumers.push(a.consumer);
    await a.start();
    await waitFor(() => sink.length >= 40, { what: 'first member consumed the backlog' });
    expect(a.assigned.at(-1)!.sort()).toEqual([0, 1, 2, 3]);

    // a second member joins while messages keep flowing
    const b = committingConsumer(kafka, groupId, topic, sink, 'b');
    consumers.push(b.consumer);
    await b.start();
    const producing = (async () => {
      for (let i = 0; i < 10; i++) await produce(10);
    })();
    await waitFor(() => b.assigned.length > 0 && b.assigned.at(-1)!.length > 0, {
      what: 'second member assigned',
    });
    await waitFor(() => a.assigned.at(-1)!.length + b.assigned.at(-1)!.length === 4, {
      what: 'partitions split between both members',
    });
    const splitA = a.assigned.at(-1)!;
    const splitB = b.assigned.at(-1)!;
    expect([...splitA, ...splitB].sort()).toEqual([0, 1, 2, 3]);
    expect(splitA.filter((p) => splitB.includes(p))).toEqual([]);
    await producing;
    await waitFor(() => sink.length >= next, { what: `all ${next} messages after the join` });
    expect(sink.some((s) => s.endsWith('@b'))).toBe(true);

    // the second member leaves; the first takes every partition back
    await b.consumer.disconnect();
    await produce(60);
    await waitFor(() => sink.length >= next, { what: `all ${next} messages after the leave` });
    expect(a.assigned.at(-1)!.sort()).toEqual([0, 1, 2, 3]);

    const got = values(sink);
    const expected = Array.from({ length: next }, (_, i) => `m${i}`);
    expect(got.length).toBe(expected.length);
    expect(new Set(got).size).toBe(got.length); // nothing consumed twice
    expect([...got].sort()).toEqual([...expected].sort()); // nothing lost
    await a.consumer.disconnect();
  });

  it('resumes exactly after the last commit when a consumer restarts', async () => {
    const topic = 'resume';
    const groupId = 'g-resume';
    const first = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `first-${i}` }));
    await producer.send({ topic, messages: first });

    const sink1: string[] = [];
    const c1 = committingConsumer(kafka, groupId, topic, sink1, 'one');
    consumers.push(c1.consumer);
    await c1.start();
    await waitFor(() => sink1.length >= first.length);
    await c1.consumer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const highs = await admin.fetchTopicOffsets(topic);
    for (const p of committed!.partitions) {
      const high = highs.find((h) => h.partition === p.partition)!.high;
      expect(p.offset === '-1' ? '0' : p.offset).toBe(high);
    }
    await admin.disconnect();

    const second = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `second-${i}` }));
    await producer.send({ topic, messages: second });
    const sink2: string[] = [];
    const c2 = committingConsumer(kafka, groupId, topic, sink2, 'two');
    consumers.push(c2.consumer);
    await c2.start();
    await waitFor(() => sink2.length >= second.length);
    await c2.consumer.disconnect();
    expect(values(sink1).sort()).toEqual(first.map((m) => m.value).sort());
    expect(values(sink2).sort()).toEqual(second.map((m) => m.value).sort());
  });
});
