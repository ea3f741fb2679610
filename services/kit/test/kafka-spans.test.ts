import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { TOPICS, toKafkaRecord, type UserChanged } from '@roster/contracts';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runConsumer } from '../src/kafka/consume.ts';
import { createPublisher } from '../src/kafka/publisher.ts';
import { createLogger } from '../src/log.ts';
import {
  type EmbeddedInfra,
  snapshot,
  startEmbeddedInfra,
  userChanged,
  waitFor,
} from '../src/testing/index.ts';
import { currentTraceparent, parseTraceparent } from '../src/trace.ts';

const spans = new InMemorySpanExporter();
const sdk = new NodeSDK({
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  instrumentations: [],
  metricReaders: [],
});
let infra: EmbeddedInfra;
beforeAll(async () => {
  sdk.start();
  infra = await startEmbeddedInfra('kit-spans', { keys: ['directoryChanges', 'deadLetter'], partitions: 1 });
});
afterAll(async () => {
  await infra?.close();
  await sdk.shutdown();
});

const finished = (name: string): ReadableSpan | undefined =>
  spans.getFinishedSpans().find((span) => span.name === name);

test('a message continues its envelope’s trace: send and process spans with messaging attributes, and what the handler sends names its process span', async () => {
  const topic = TOPICS.directoryChanges.name;
  const sentByHandler: string[] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    groupId: 'kit-spans',
    topic: 'directoryChanges',
    log: createLogger('kit-spans', 'silent'),
    handle: async (message) => {
      sentByHandler.push(currentTraceparent(message.traceparent));
    },
  });
  const publisher = await createPublisher(infra.kafka);
  try {
    await consumer.ready;
    let key = '';
    const root = await trace.getTracer('test').startActiveSpan('scim call', async (span) => {
      const change: UserChanged = {
        ...userChanged('org-7', 1, snapshot('ada')),
        traceparent: currentTraceparent(undefined),
      };
      key = toKafkaRecord(change).key;
      await publisher.publish('directoryChanges', [change]);
      span.end();
      return span.spanContext();
    });
    const processed = await waitFor(() => finished(`process ${topic}`), { what: 'the process span' });
    const sent = finished(`send ${topic}`)!;
    for (const span of [sent, processed]) {
      expect(span.spanContext().traceId).toBe(root.traceId);
      expect(span.parentSpanContext?.spanId).toBe(root.spanId);
      expect(span.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.kafka.message.key': key,
        'roster.tenant': 'org-7',
        'roster.command.type': 'roster.directory.user.changed.v1',
      });
    }
    expect(sent.attributes['messaging.operation.type']).toBe('send');
    expect(processed.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'kit-spans',
      'messaging.destination.partition.id': '0',
    });
    // The next hop's envelope names this span: one trace, no competing ids.
    expect(parseTraceparent(sentByHandler[0])).toMatchObject({
      traceId: root.traceId,
      spanId: processed.spanContext().spanId,
    });
  } finally {
    await publisher.close();
    await consumer.stop();
  }
});

test('messages handled as one batch each get a process span in their own trace, all lasting the batch', async () => {
  const topic = TOPICS.directoryChanges.name;
  const publisher = await createPublisher(infra.kafka);
  const roots: string[] = [];
  try {
    // Published before the consumer starts: its first fetch brings them together.
    for (const id of ['batch-a', 'batch-b', 'batch-c']) {
      await trace.getTracer('test').startActiveSpan(`call ${id}`, async (span) => {
        const change = {
          ...userChanged('org-8', 1, snapshot(id)),
          traceparent: currentTraceparent(undefined),
        };
        await publisher.publish('directoryChanges', [change]);
        roots.push(span.spanContext().traceId);
        span.end();
      });
    }
  } finally {
    await publisher.close();
  }
  const batches: number[] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    groupId: 'kit-spans-batch',
    topic: 'directoryChanges',
    log: createLogger('kit-spans', 'silent'),
    handle: async () => void batches.push(1),
    handleBatch: async (changes) => void batches.push(changes.length),
  });
  try {
    const processedIn = (traceId: string) =>
      spans
        .getFinishedSpans()
        .find((s) => s.name === `process ${topic}` && s.spanContext().traceId === traceId);
    const processed = await waitFor(
      () => (roots.every(processedIn) ? roots.map((r) => processedIn(r)!) : undefined),
      {
        what: 'a process span in each call’s trace',
      },
    );
    expect(Math.max(...batches)).toBeGreaterThan(1);
    const batched = processed.filter((s) => s.attributes['messaging.batch.message_count'] !== undefined);
    // The first test's message is on the topic too: the batch holds it and this test's three.
    expect(batched).toHaveLength(roots.length);
    for (const span of batched) {
      expect(span.attributes['messaging.batch.message_count']).toBe(Math.max(...batches));
    }
    // All open together, for the whole batch: each started before any of them ended. Each span
    // anchors its clock on Date.now() (whole milliseconds) when it starts, so two spans' times
    // can disagree by up to 1 ms.
    const ms = ([seconds, nanos]: [number, number]) => seconds * 1e3 + nanos / 1e6;
    const firstEnd = Math.min(...batched.map((span) => ms(span.endTime)));
    for (const span of batched) expect(ms(span.startTime)).toBeLessThanOrEqual(firstEnd + 1);
  } finally {
    await consumer.stop();
  }
});
