import { type EnvelopeMeta, TOPICS, type TopicKey, toKafkaRecord } from '@roster/contracts';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { withSendSpan } from '../telemetry/messaging-spans.ts';
import { withinTimeout } from '../timeout.ts';
import { CoalescingSender } from './coalescing-sender.ts';
import { PublishTimeout } from './failure.ts';

export type Publishable = EnvelopeMeta & { type: string; data: unknown };

export interface Publisher {
  /** Publishes in order and resolves once every message is acknowledged by all in-sync replicas. */
  publish(topic: TopicKey, messages: readonly Publishable[]): Promise<void>;
  close(): Promise<void>;
}

export interface PublisherOptions {
  /**
   * Rejects a publish with `PublishTimeout` when the broker has not acknowledged it by then (an
   * HTTP caller cannot wait forever). Without it, a publish waits until the broker is back.
   */
  ackTimeoutMs?: number | undefined;
}

/**
 * Idempotent (the broker drops duplicates of our own retries), in order (one request in flight),
 * retrying until it succeeds, partitioned by key with Kafka's default murmur2 partitioner.
 */
export const IDEMPOTENT_PRODUCER = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
};

/**
 * An idempotent producer (no duplicates from its own retries) that publishes contract envelopes;
 * concurrent publishes share requests (see CoalescingSender).
 */
export const createPublisher = async (kafka: Kafka, options: PublisherOptions = {}): Promise<Publisher> => {
  const producer: Producer = kafka.producer(IDEMPOTENT_PRODUCER);
  await producer.connect();
  const sender = new CoalescingSender(producer);
  return {
    async publish(topic, messages) {
      if (messages.length === 0) return;
      const name = TOPICS[topic].name;
      const records = messages.map(toKafkaRecord);
      const facts = messages.map((message, i) => ({
        topic: name,
        tenant: message.tenant,
        type: message.type,
        key: records[i]!.key,
      }));
      const sent = withSendSpan(name, facts, () => sender.send(name, records));
      if (options.ackTimeoutMs === undefined) {
        await sent;
        return;
      }
      // A send that lands after its timeout must not become an unhandled rejection.
      sent.catch(() => undefined);
      const ackTimeoutMs = options.ackTimeoutMs;
      await withinTimeout(sent, ackTimeoutMs, () => new PublishTimeout(name, ackTimeoutMs));
    },
    close: () => producer.disconnect(),
  };
};
