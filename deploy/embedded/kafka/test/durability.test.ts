import fs from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '@roster/test-support';
import type { Kafka } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../src/index.ts';
import {
  brokerLog,
  type ChildBroker,
  client,
  exited,
  fastConsumer,
  spawnBroker,
  tempDir,
} from './helpers.ts';

const children: ChildBroker[] = [];

async function start(dataDir: string): Promise<ChildBroker> {
  const b = await spawnBroker(['--port', '0', '--data-dir', dataDir, '--partitions', '3']);
  children.push(b);
  return b;
}

async function kill9(b: ChildBroker): Promise<void> {
  b.proc.kill('SIGKILL');
  const { signal } = await exited(b.proc);
  expect(signal).toBe('SIGKILL');
}

async function readAll(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, ...fastConsumer });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      got.push(message.value!.toString());
    },
  });
  try {
    await waitFor(() => got.length >= expected, { what: `${expected} messages` });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

afterAll(async () => {
  for (const c of children) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) {
      c.proc.kill('SIGKILL');
      await exited(c.proc);
    }
  }
});

describe('durability (broker process killed with SIGKILL)', () => {
  it('keeps every acknowledged message and committed offset across kill -9', async () => {
    const dataDir = await tempDir('kill');
    const topic = 'durable';
    const groupId = 'durable-group';
    const b1 = await start(dataDir);
    const kafka1 = client(b1.brokers);

    // committed offsets before the crash
    const early = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `early-${i}` }));
    const producer = kafka1.producer({ retry: { retries: 0 } });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: early });
    const consumed = await readAll(kafka1, topic, groupId, early.length);
    expect(consumed.sort()).toEqual(early.map((m) => m.value).sort());
    const admin1 = kafka1.admin();
    await admin1.connect();
    const [committedBefore] = await admin1.fetchOffsets({ groupId, topics: [topic] });
    await admin1.disconnect();

    // keep producing; kill the broker while batches are in flight
    const acked: string[] = [];
    let stop = false;
    const producing = (async () => {
      for (let i = 0; !stop; i++) {
        const batch = Array.from({ length: 20 }, (_, j) => ({ key: `k${j}`, value: `live-${i}-${j}` }));
        try {
          await producer.send({ topic, acks: i % 2 === 0 ? -1 : 1, messages: batch });
          acked.push(...batch.map((m) => m.value));
        } catch {
          return; // the broker is gone: unacknowledged batches may or may not have been stored
        }
      }
    })();
    await waitFor(() => acked.length >= 400, { what: 'acknowledged messages before the kill' });
    await kill9(b1);
    stop = true;
    await producing;
    await producer.disconnect().catch(() => {});
    const ackedAtKill = [...acked];

    const b2 = await start(dataDir);
    const kafka2 = client(b2.brokers);
    const admin2 = kafka2.admin();
    await admin2.connect();
    const [committedAfter] = await admin2.fetchOffsets({ groupId, topics: [topic] });
    expect(committedAfter!.partitions.sort((x, y) => x.partition - y.partition)).toEqual(
      committedBefore!.partitions.sort((x, y) => x.partition - y.partition),
    );
    const highs = await admin2.fetchTopicOffsets(topic);
    const stored = highs.reduce((n, h) => n + Number(h.high), 0);
    expect(stored).toBeGreaterThanOrEqual(early.length + ackedAtKill.length);
    await admin2.disconnect();

    // everything acknowledged is readable, nothing twice
    const all = await readAll(kafka2, topic, 'fresh-reader', stored);
    expect(all.length).toBe(stored);
    expect(new Set(all).size).toBe(all.length);
    const present = new Set(all);
    expect([...early.map((m) => m.value), ...ackedAtKill].filter((v) => !present.has(v))).toEqual([]);

    // the restarted group resumes after its pre-crash commits: only newer messages arrive
    const resumed = await readAll(kafka2, topic, groupId, stored - early.length);
    expect(resumed.filter((v) => v.startsWith('early-'))).toEqual([]);
    expect(resumed.length).toBe(stored - early.length);

    b2.proc.kill('SIGTERM');
    expect(await exited(b2.proc)).toEqual({ code: 0, signal: null });
  });

  it('detects a torn tail on restart, truncates it and never serves it', async () => {
    const dataDir = await tempDir('torn');
    const topic = 'torn';
    const b1 = await start(dataDir);
    const kafka1 = client(b1.brokers);
    const admin = kafka1.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka1.producer();
    await producer.connect();
    const messages = Array.from({ length: 5 }, (_, i) => ({ value: `intact-${i}` }));
    for (const m of messages) await producer.send({ topic, messages: [m] });
    await producer.disconnect();
    await kill9(b1);

    // simulate a write cut short by the crash: half of a copy of the last batch
    const segDir = path.join(dataDir, 'topics', topic, '0');
    const [segName] = await fs.readdir(segDir);
    const segPath = path.join(segDir, segName!);
    const intact = await fs.readFile(segPath);
    const lastBatchStart = (() => {
      let pos = 0;
      let last = 0;
      while (pos < intact.length) {
        last = pos;
        pos += 12 + intact.readInt32BE(pos + 8);
      }
      return last;
    })();
    const lastBatch = intact.subarray(lastBatchStart);
    const torn = Buffer.from(lastBatch.subarray(0, Math.floor(lastBatch.length / 2)));
    torn.writeBigInt64BE(BigInt(messages.length), 0); // what the next batch's header would say
    await fs.appendFile(segPath, torn);
    // and a torn line at the end of the offsets journal
    await fs.appendFile(path.join(dataDir, 'offsets.log'), '1234abcd {"g":"x","c":[["torn",0,');

    const b2 = await start(dataDir);
    expect((await fs.stat(segPath)).size).toBe(intact.length);
    expect(b2.stderr()).toMatch(/truncating/);
    const kafka2 = client(b2.brokers);
    const admin2 = kafka2.admin();
    await admin2.connect();
    const [high] = await admin2.fetchTopicOffsets(topic);
    expect(Number(high!.high)).toBe(messages.length);
    await admin2.disconnect();

    // new writes continue at the right offset
    const producer2 = kafka2.producer();
    await producer2.connect();
    const [r] = await producer2.send({ topic, messages: [{ value: 'after-restart' }] });
    expect(r!.baseOffset).toBe(String(messages.length));
    await producer2.disconnect();
    const all = await readAll(kafka2, topic, 'torn-reader', messages.length + 1);
    expect(all).toEqual([...messages.map((m) => m.value), 'after-restart']);
    b2.proc.kill('SIGTERM');
    expect(await exited(b2.proc)).toEqual({ code: 0, signal: null });
  });
  it('restarts in-process on the same data dir after a clean close()', async () => {
    const dataDir = await tempDir('reopen');
    const topic = 'reopen';
    const first = await startBroker({ port: 0, dataDir, logger: brokerLog });
    const kafka1 = client(first.brokers);
    const producer = kafka1.producer();
    await producer.connect();
    const messages = Array.from({ length: 12 }, (_, i) => ({
      key: `k${i}`,
      value: `v${i}`,
      headers: { i: String(i) },
    }));
    await producer.send({ topic, messages });
    await producer.disconnect();
    const got1 = await readAll(kafka1, topic, 'reopen-group', messages.length);
    expect(got1.sort()).toEqual(messages.map((m) => m.value).sort());
    await first.close();

    const second = await startBroker({ port: 0, dataDir, logger: brokerLog });
    try {
      const kafka2 = client(second.brokers);
      const admin = kafka2.admin();
      await admin.connect();
      const highs = await admin.fetchTopicOffsets(topic);
      expect(highs.reduce((n, h) => n + Number(h.high), 0)).toBe(messages.length);
      const [committed] = await admin.fetchOffsets({ groupId: 'reopen-group', topics: [topic] });
      for (const p of committed!.partitions) {
        const high = highs.find((h) => h.partition === p.partition)!.high;
        expect(p.offset === '-1' ? '0' : p.offset).toBe(high);
      }
      await admin.disconnect();
      const again = await readAll(kafka2, topic, 'second-reader', messages.length);
      expect(again.sort()).toEqual(messages.map((m) => m.value).sort());
    } finally {
      await second.close();
    }
  });
});
