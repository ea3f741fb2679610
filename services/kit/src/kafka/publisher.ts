import { type EnvelopeMeta, TOPICS, type TopicKey, toKafkaRecord } from '@roster/contracts';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';

export type Publishable = EnvelopeMeta & { type: string; data: unknown };

export interface Publisher {
  /** Publishes in order and resolves once every message is acknowledged by all in-sync replicas. */
  publish(topic: TopicKey, messages: readonly Publishable[]): Promise<void>;
  close(): Promise<void>;
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

/** An idempotent producer (no duplicates from its own retries) that publishes contract envelopes. */
export const createPublisher = async (kafka: Kafka): Promise<Publisher> => {
  const producer: Producer = kafka.producer(IDEMPOTENT_PRODUCER);
  await producer.connect();
  return {
    async publish(topic, messages) {
      if (messages.length === 0) return;
      await producer.send({ topic: TOPICS[topic].name, acks: -1, messages: messages.map(toKafkaRecord) });
    },
    close: () => producer.disconnect(),
  };
};
