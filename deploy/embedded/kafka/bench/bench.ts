/**
 * Benchmark: npm run bench:kafka [-- --messages N --inflight N]
 *
 * Runs the broker as a child process (its own RSS) with a temporary data dir, then with
 * one kafkajs producer and one kafkajs consumer:
 *   1. produce N x 1 KiB messages in batches of 100 (acks=-1)
 *   2. consume them all
 *   3. produce at a steady 5,000 msgs/s while consuming; report produce->consume latency
 * and the broker's peak RSS (VmHWM).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '100' },
    inflight: { type: 'string', default: '4' },
    'latency-seconds': { type: 'string', default: '10' },
    'latency-rate': { type: 'string', default: '5000' },
  },
});
const TOTAL = Number(args.messages);
const BATCH = Number(args.batch);
const INFLIGHT = Number(args.inflight);
const LATENCY_SECONDS = Number(args['latency-seconds']);
const LATENCY_RATE = Number(args['latency-rate']);
const MESSAGE_BYTES = 1024;

const here = path.dirname(fileURLToPath(import.meta.url));
const mainTs = path.join(here, '../src/main.ts');

function startBroker(dataDir: string): Promise<{ proc: ChildProcess; brokers: string }> {
  const proc = spawn(process.execPath, [mainTs, '--port', '0', '--data-dir', dataDir, '--partitions', '3'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^READY (.*)$/m.exec(out);
      if (m) resolve({ proc, brokers: (JSON.parse(m[1]!) as { brokers: string }).brokers });
    });
    proc.on('exit', (code) => reject(new Error(`broker exited (${code})`)));
  });
}

function rssMiB(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-kafka-bench-'));
const broker = await startBroker(dataDir);
const kafka = new Kafka({ clientId: 'bench', brokers: [broker.brokers], logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [
    { topic: 'bench', numPartitions: 3 },
    { topic: 'latency', numPartitions: 3 },
  ],
});
await admin.disconnect();

const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
const payload = Buffer.alloc(MESSAGE_BYTES, 'x');
const batchMessages = Array.from({ length: BATCH }, () => ({ value: payload }));

// 1. produce
let sentBatches = 0;
if (TOTAL === 0) sentBatches = Number.POSITIVE_INFINITY;
const batches = Math.ceil(TOTAL / BATCH);

const produceStart = performance.now();
await Promise.all(
  Array.from({ length: INFLIGHT }, async () => {
    while (sentBatches < batches) {
      sentBatches++;
      await producer.send({ topic: 'bench', acks: -1, messages: batchMessages });
    }
  }),
);
const produceSeconds = (performance.now() - produceStart) / 1000;
const produced = batches * BATCH;
const rssAfterProduce = rssMiB(broker.proc.pid!);

// 2. consume
let consumed = 0;
let consumeSeconds = 0;
if (produced > 0) {
  const consumer = kafka.consumer({
    groupId: 'bench',
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: 'bench', fromBeginning: true });
  let consumeStart = 0;
  const consumeEnd = await new Promise<number>((resolve) => {
    consumer.run({
      eachBatch: async ({ batch }) => {
        if (consumeStart === 0) consumeStart = performance.now();
        consumed += batch.messages.length;
        if (consumed >= produced) resolve(performance.now());
      },
    });
  });
  consumeSeconds = (consumeEnd - consumeStart) / 1000;
  await consumer.disconnect();
}

const rssAfterConsume = rssMiB(broker.proc.pid!);

// 3. latency at a steady rate
const latencies: number[] = [];
const latencyConsumer = kafka.consumer({ groupId: 'latency', maxWaitTimeInMs: 500 });
await latencyConsumer.connect();
await latencyConsumer.subscribe({ topic: 'latency', fromBeginning: true });
let latencyReady = false;
latencyConsumer.on(latencyConsumer.events.GROUP_JOIN, () => {
  latencyReady = true;
});
await latencyConsumer.run({
  eachMessage: async ({ message }) => {
    latencies.push(performance.now() - Number(message.value!.subarray(0, 24).toString()));
  },
});
while (!latencyReady) await new Promise((r) => setTimeout(r, 20));
const tickMs = 10;
const perTick = Math.round((LATENCY_RATE * tickMs) / 1000);
const ticks = Math.round((LATENCY_SECONDS * 1000) / tickMs);
const latencyStart = performance.now();
const sends: Promise<unknown>[] = [];
for (let i = 0; i < ticks; i++) {
  const due = latencyStart + i * tickMs;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const messages = Array.from({ length: perTick }, () => {
    const v = Buffer.alloc(MESSAGE_BYTES, 'x');
    v.write(performance.now().toFixed(3).padStart(24, '0'));
    return { value: v };
  });
  sends.push(producer.send({ topic: 'latency', acks: -1, messages }));
}
await Promise.all(sends);
const latencyExpected = ticks * perTick;
const deadline = Date.now() + 30_000;
while (latencies.length < latencyExpected && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 20));
await latencyConsumer.disconnect();
await producer.disconnect();

const rss = rssMiB(broker.proc.pid!);
const [utime, stime] = fs
  .readFileSync(`/proc/${broker.proc.pid}/stat`, 'utf8')
  .split(') ')[1]!
  .split(' ')
  .slice(11, 13)
  .map(Number);
const brokerCpuSeconds = (utime! + stime!) / 100;
broker.proc.kill('SIGTERM');
await new Promise((r) => broker.proc.once('exit', r));
fs.rmSync(dataDir, { recursive: true, force: true });

const sorted = [...latencies].sort((a, b) => a - b);
const result = {
  messages: produced,
  messageBytes: MESSAGE_BYTES,
  produceMsgsPerSec: Math.round(produced / produceSeconds),
  produceMBPerSec: Number(((produced * MESSAGE_BYTES) / 1e6 / produceSeconds).toFixed(1)),
  consumeMsgsPerSec: Math.round(consumed / consumeSeconds),
  latencyRate: LATENCY_RATE,
  latencyMessages: latencies.length,
  latencyP50Ms: Number(percentile(sorted, 50).toFixed(2)),
  latencyP99Ms: Number(percentile(sorted, 99).toFixed(2)),
  brokerPeakRssMiB: Number(rss.toFixed(1)),
  brokerCpuSeconds,
  brokerPeakRssAfterProduceMiB: Number(rssAfterProduce.toFixed(1)),
  brokerPeakRssAfterConsumeMiB: Number(rssAfterConsume.toFixed(1)),
};
console.log(
  `produce: ${result.produceMsgsPerSec} msgs/s (${result.produceMBPerSec} MB/s), ${INFLIGHT} sends in flight`,
);
console.log(`consume: ${result.consumeMsgsPerSec} msgs/s`);
console.log(
  `latency at ${LATENCY_RATE} msgs/s: p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms (${latencies.length}/${latencyExpected} messages)`,
);
console.log(`broker peak RSS: ${result.brokerPeakRssMiB} MiB; broker CPU time ${brokerCpuSeconds} s`);
console.log(JSON.stringify(result));
process.exit(0);
