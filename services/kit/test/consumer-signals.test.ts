import { SpanStatusCode } from '@opentelemetry/api';
import { type Histogram, MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { TOPICS, toKafkaRecord } from '@roster/contracts';
import { afterAll, beforeAll, expect, test } from 'vitest';

/** A reader the test collects from when it wants to, like a Prometheus scrape. */
class ScrapeReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new ScrapeReader();
const sdk = new NodeSDK({
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  metricReaders: [reader],
  instrumentations: [],
});
// The kit's instruments are created when their modules load, as after `--import telemetry.ts`:
// the SDK starts first.
sdk.start();
const { runConsumer } = await import('../src/kafka/consume.ts');
const { InvariantViolation } = await import('../src/kafka/failure.ts');
const { createLogger } = await import('../src/log.ts');
const { createProducer, snapshot, startEmbeddedInfra, userChanged, waitFor } = await import(
  '../src/testing/index.ts'
);

type Point = { attributes: Record<string, unknown>; value: number | Histogram };

/** The data points of one metric as a scrape would see them now. */
const scrape = async (name: string): Promise<Point[]> => {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints as Point[]);
};

let infra: Awaited<ReturnType<typeof startEmbeddedInfra>>;
beforeAll(async () => {
  infra = await startEmbeddedInfra('kit-signals', {
    keys: ['directoryChanges', 'deadLetter'],
    partitions: 1,
  });
});
afterAll(async () => {
  await infra?.close();
  await sdk.shutdown();
});

test('a dead-lettered message fails its process span and counts in roster.dead_letters; the group’s lag is reported per partition', async () => {
  const topic = TOPICS.directoryChanges.name;
  const handled: string[] = [];
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log: createLogger('kit-signals', 'silent'),
    groupId: 'kit-signals',
    topic: 'directoryChanges',
    handle: async (change) => {
      if (change.subject === 'poison') throw new InvariantViolation('this user must not exist');
      handled.push(change.subject);
    },
  });
  const producer = await createProducer(infra.kafka);
  try {
    await consumer.ready;
    const changes = ['poison', 'after'].map((id) => userChanged('org-1', 1, snapshot(id)));
    await producer.send({ topic, acks: -1, messages: changes.map(toKafkaRecord) });
    await waitFor(() => (handled.includes('after') ? true : undefined), {
      what: 'the message after the poison',
    });

    const failed = spans
      .getFinishedSpans()
      .filter((span) => span.name === `process ${topic}` && span.status.code === SpanStatusCode.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.status.message).toBe('InvariantViolation: this user must not exist');
    expect(failed[0]!.attributes['messaging.kafka.message.key']).toBe('org-1:poison');

    expect(await scrape('roster.dead_letters')).toMatchObject([
      {
        attributes: {
          'messaging.destination.name': topic,
          'messaging.consumer.group.name': 'kit-signals',
          'roster.dead_letter.kind': 'failed',
        },
        value: 1,
      },
    ]);
    // Caught up: nothing left on the partition. No tenant among the labels.
    const lag = await waitFor(
      async () => {
        const points = await scrape('roster.kafka.consumer.lag');
        return points.length > 0 && points.every((point) => point.value === 0) ? points : undefined;
      },
      { what: 'the consumer lag gauge at 0' },
    );
    expect(lag.map((point) => point.attributes)).toEqual([
      {
        'messaging.consumer.group.name': 'kit-signals',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': '0',
      },
    ]);
  } finally {
    await producer.disconnect();
    await consumer.stop();
  }
  // A member that left reports 0 for the partitions it read, never a frozen old lag.
  expect((await scrape('roster.kafka.consumer.lag')).map((point) => point.value)).toEqual([0]);
});
