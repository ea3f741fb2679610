import fs from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '@roster/test-support';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../src/index.ts';
import { brokerLog, client, RawClient, tempDir } from './helpers.ts';
import { call, req, res } from './kafkajsProtocol.ts';

const brokers: RunningBroker[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
});

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await fs.readdir(dir)) total += (await fs.stat(path.join(dir, f))).size;
  return total;
}

describe('retention and size limits', () => {
  it.each([
    ['on disk', true],
    ['in memory', false],
  ])(
    'enforces per-partition retention %s and consumers restart from the log start',
    async (_label, onDisk) => {
      const retentionBytes = 64 * 1024;
      const dataDir = onDisk ? await tempDir('retention') : undefined;
      const broker = await startBroker({ port: 0, dataDir, retentionBytes, logger: brokerLog });
      brokers.push(broker);
      const kafka = client(broker.brokers);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'retained', numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      const value = 'r'.repeat(1000);
      const batches = 100;
      for (let i = 0; i < batches; i++) {
        await producer.send({
          topic: 'retained',
          messages: Array.from({ length: 5 }, (_, j) => ({ value: `${i}-${j}-${value}` })),
        });
      }
      await producer.disconnect();
      const [offsets] = await admin.fetchTopicOffsets('retained');
      await admin.disconnect();
      const total = batches * 5;
      expect(Number(offsets!.high)).toBe(total);
      const low = Number(offsets!.low);
      expect(low).toBeGreaterThan(0);
      if (dataDir) {
        // whole segments are dropped: at most retention + one segment remains
        const bytes = await dirBytes(path.join(dataDir, 'topics', 'retained', '0'));
        expect(bytes).toBeLessThanOrEqual(retentionBytes * 1.25 + 8 * 1024);
      }

      // a raw fetch below the log start is OFFSET_OUT_OF_RANGE
      const c = await RawClient.connect(broker.brokers);
      const r = await call<{ responses: { partitions: { errorCode: number }[] }[] }>(
        c,
        req.fetch({ topic: 'retained', partition: 0, offset: 0, maxWaitTime: 0 }),
        res.fetch,
      );
      expect(r.responses[0]!.partitions[0]!.errorCode).toBe(1);
      c.close();

      // a consumer from the beginning gets exactly the retained range
      const consumer = kafka.consumer({ groupId: 'retained-reader', maxWaitTimeInMs: 50 });
      const got: number[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: 'retained', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push(Number(message.offset));
        },
      });
      await waitFor(() => got.length >= total - low);
      await consumer.disconnect();
      expect(got).toEqual(Array.from({ length: total - low }, (_, i) => low + i));
    },
  );

  it('returns a batch larger than the fetch size limits instead of stalling', async () => {
    const broker = await startBroker({ port: 0, logger: brokerLog });
    brokers.push(broker);
    const kafka = client(broker.brokers);
    const producer = kafka.producer();
    await producer.connect();
    const big = 'b'.repeat(200 * 1024);
    await producer.send({
      topic: 'big',
      messages: [
        { key: 'same', value: big },
        { key: 'same', value: 'small' },
      ],
    });
    await producer.disconnect();
    const consumer = kafka.consumer({
      groupId: 'big-reader',
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 1024,
      maxBytes: 2048,
    });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'big', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString());
      },
    });
    await waitFor(() => got.length >= 2);
    await consumer.disconnect();
    expect(got).toEqual([big, 'small']);
  });
  it('does not auto-create topics when disabled', async () => {
    const broker = await startBroker({ port: 0, autoCreateTopics: false, logger: brokerLog });
    brokers.push(broker);
    const kafka = new Kafka({
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 20 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await expect(admin.fetchTopicMetadata({ topics: ['never-created'] })).rejects.toThrow(
      /does not host this topic-partition/,
    );
    expect(await admin.listTopics()).not.toContain('never-created');
    await admin.createTopics({ topics: [{ topic: 'explicit', numPartitions: 2 }] });
    const meta = await admin.fetchTopicMetadata({ topics: ['explicit'] });
    expect(meta.topics[0]!.partitions).toHaveLength(2);
    await admin.disconnect();
  });
});
