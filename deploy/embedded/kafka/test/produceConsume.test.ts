import { waitFor } from '@roster/test-support';
import { CompressionTypes, type Kafka, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../src/index.ts';
import { client, fastConsumer, tempDir } from './helpers.ts';

interface Received {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

function toReceived(partition: number, m: KafkaMessage): Received {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
  return { partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value!.toString(), headers };
}

async function consumeAll(kafka: Kafka, topic: string, count: number, groupId: string): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId, ...fastConsumer });
  const got: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      got.push(toReceived(partition, message));
    },
  });
  try {
    await waitFor(() => got.length >= count, { what: `${count} messages on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('produce and consume with unmodified kafkajs', () => {
  let broker: RunningBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startBroker({ port: 0, dataDir: await tempDir('pc'), partitions: 3 });
    kafka = client(broker.brokers);
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('advertises 127.0.0.1 and the ephemeral port', () => {
    expect(broker.brokers).toBe(`127.0.0.1:${broker.port}`);
    expect(broker.port).toBeGreaterThan(0);
  });

  it('keeps keys, values and headers across partitions', async () => {
    const topic = 'keys-and-headers';
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 60 }, (_, i) => ({
      key: `user-${i % 7}`,
      value: JSON.stringify({ i, payload: 'x'.repeat(i) }),
      headers: { 'correlation-id': `c-${i}`, index: String(i) },
    }));
    for (let i = 0; i < sent.length; i += 10) await producer.send({ topic, messages: sent.slice(i, i + 10) });
    await producer.disconnect();

    const got = await consumeAll(kafka, topic, sent.length, 'g-keys');
    expect(got).toHaveLength(sent.length);
    const byValue = new Map(got.map((r) => [r.value, r]));
    for (const s of sent) {
      const r = byValue.get(s.value);
      expect(r, s.value).toBeDefined();
      expect(r!.key).toBe(s.key);
      expect(r!.headers).toEqual(s.headers);
    }
    // one key -> one partition, and the keys spread over more than one partition
    const partitionOfKey = new Map<string, Set<number>>();
    for (const r of got) {
      const set = partitionOfKey.get(r.key!) ?? new Set();
      set.add(r.partition);
      partitionOfKey.set(r.key!, set);
    }
    for (const set of partitionOfKey.values()) expect(set.size).toBe(1);
    expect(new Set(got.map((r) => r.partition)).size).toBeGreaterThan(1);
    // offsets within a partition are dense and in order of production
    for (const p of new Set(got.map((r) => r.partition))) {
      const inP = got.filter((r) => r.partition === p);
      expect(inP.map((r) => Number(r.offset))).toEqual(inP.map((_, i) => i));
      const idx = inP.map((r) => (JSON.parse(r.value) as { i: number }).i);
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
    }
  });

  it.each([
    [0, 'acks-0'],
    [1, 'acks-1'],
    [-1, 'acks-all'],
  ])('acks=%i', async (acks, topic) => {
    const producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    const messages = Array.from({ length: 25 }, (_, i) => ({ key: String(i), value: `${topic}-${i}` }));
    const result = await producer.send({ topic, acks, messages });
    if (acks === 0) {
      expect(result).toEqual([]); // no response at all for acks=0
    } else {
      expect(result.map((r) => r.errorCode)).toEqual(result.map(() => 0));
    }
    await waitFor(async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((n, o) => n + Number(o.high), 0) === messages.length;
    });
    await admin.disconnect();
    await producer.disconnect();
    const got = await consumeAll(kafka, topic, messages.length, `g-${topic}`);
    expect(got.map((r) => r.value).sort()).toEqual(messages.map((m) => m.value).sort());
  });

  it('round-trips gzip-compressed batches', async () => {
    const topic = 'gzip';
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 40 }, (_, i) => ({
      key: `k${i % 3}`,
      value: `compressible ${'abc'.repeat(200)} ${i}`,
      headers: { n: String(i) },
    }));
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
    await producer.disconnect();
    const got = await consumeAll(kafka, topic, messages.length, 'g-gzip');
    expect(got.map((r) => r.value).sort()).toEqual(messages.map((m) => m.value).sort());
    expect(got.map((r) => r.headers.n).sort()).toEqual(messages.map((m) => m.headers.n).sort());
  });

  it('supports the idempotent producer', async () => {
    const topic = 'idempotent';
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `idem-${i}` }));
    for (let i = 0; i < messages.length; i += 6) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 6) });
    }
    await producer.disconnect();
    const got = await consumeAll(kafka, topic, messages.length, 'g-idem');
    expect(got.map((r) => r.value).sort()).toEqual(messages.map((m) => m.value).sort());
  });

  it('serves the admin API', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = 'admin-topic';
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })).toBe(false);
    expect(await admin.listTopics()).toContain(topic);

    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics).toHaveLength(1);
    expect(meta.topics[0]!.name).toBe(topic);
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([{ nodeId: cluster.controller, host: '127.0.0.1', port: broker.port }]);

    const producer = kafka.producer();
    await producer.connect();
    const perPartition = [3, 0, 5, 1];
    for (const [partition, n] of perPartition.entries()) {
      if (n === 0) continue;
      await producer.send({
        topic,
        messages: Array.from({ length: n }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
      });
    }
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const o of offsets) {
      expect(Number(o.high)).toBe(perPartition[o.partition]);
      expect(Number(o.low)).toBe(0);
    }

    // commit through a consumer group, then read the commits back through the admin client
    const groupId = 'admin-group';
    const total = perPartition.reduce((a, b) => a + b, 0);
    const got = await consumeAll(kafka, topic, total, groupId);
    expect(got).toHaveLength(total);
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return committed!.partitions.every(
        (p) => Number(p.offset) === perPartition[p.partition] || p.offset === '-1',
      );
    });
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const p of committed!.partitions) {
      expect(p.offset).toBe(perPartition[p.partition] === 0 ? '-1' : String(perPartition[p.partition]));
    }
    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain(groupId);
    const described = await admin.describeGroups([groupId]);
    expect(described.groups[0]!.state).toBe('Empty');

    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });

  it('auto-creates topics on metadata with the configured partition count', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'auto-created', messages: [{ value: 'hi' }] });
    await producer.disconnect();
    const meta = await admin.fetchTopicMetadata({ topics: ['auto-created'] });
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    await admin.disconnect();
  });
  it('fails a transactional producer fast with kafkajs\'s own "not supported" error', async () => {
    const producer = kafka.producer({ transactionalId: 'tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    await expect(tx.send({ topic: 'tx-topic', messages: [{ value: 'x' }] })).rejects.toMatchObject({
      name: 'KafkaJSServerDoesNotSupportApiKey',
    });
    await producer.disconnect();
  });
});
