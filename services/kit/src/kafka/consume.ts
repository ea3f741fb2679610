import { randomUUID } from 'node:crypto';
import {
  ContractViolation,
  type DeadLetter,
  decodeMessage,
  type MessageOf,
  TOPICS,
  type TopicKey,
} from '@roster/contracts';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from '../log.ts';
import { IDEMPOTENT_PRODUCER } from './publisher.ts';

export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** Tells the group this member is alive during long work on one message (e.g. batch by batch). */
  heartbeat(): Promise<void>;
}

export type Handler<K extends TopicKey> = (message: MessageOf<K>, delivery: Delivery) => Promise<void>;

export interface ConsumerOptions<K extends TopicKey> {
  kafka: Kafka;
  groupId: string;
  topic: K;
  handle: Handler<K>;
  log: Logger;
  /** Where a new group starts; existing groups always resume from their committed offsets. */
  fromBeginning?: boolean;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  maxWaitTimeInMs?: number;
  partitionsConsumedConcurrently?: number;
}

export interface RunningConsumer {
  consumer: Consumer;
  /** Resolves once the consumer joined its group and started fetching its assigned partitions. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Joined and fetching: from here on, a new group positioned at the log end sees every new message. */
const readiness = (consumer: Consumer): Promise<void> =>
  new Promise((resolve) => {
    let joined = false;
    const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    const offFetch = consumer.on(consumer.events.FETCH_START, () => {
      if (!joined) return;
      offJoin();
      offFetch();
      resolve();
    });
  });

const stringHeaders = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.map(String).join(',') : String(value)]],
    ),
  );

const deadLetterOf = (
  groupId: string,
  delivery: Delivery,
  message: KafkaMessage,
  error: ContractViolation,
): DeadLetter => {
  const value = message.value;
  const utf8 = value ? value.toString('utf8') : null;
  const isText = utf8 !== null && Buffer.from(utf8, 'utf8').equals(value!);
  return {
    id: randomUUID(),
    failedAt: new Date().toISOString(),
    consumerGroup: groupId,
    origin: {
      topic: delivery.topic,
      partition: delivery.partition,
      offset: delivery.offset,
      key: delivery.key,
      headers: delivery.headers,
    },
    error: { kind: error.kind, message: error.message },
    value: isText
      ? { encoding: 'utf8', data: utf8 }
      : { encoding: 'base64', data: value ? value.toString('base64') : null },
  };
};

/**
 * Consumes one catalogue topic: each message is decoded against its contract and handed to
 * `handle`; the offset is committed only after `handle` resolved (at-least-once, so handlers
 * are idempotent). A message that breaks its contract is parked on the dead-letter topic and the
 * partition moves on. A handler error (MongoDB unavailable, …) is retried by kafkajs with backoff,
 * and the message is never skipped.
 */
export const runConsumer = async <K extends TopicKey>(
  options: ConsumerOptions<K>,
): Promise<RunningConsumer> => {
  const { kafka, groupId, topic, handle, log } = options;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeout ?? 30_000,
    heartbeatInterval: options.heartbeatInterval ?? 3_000,
    maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
    allowAutoTopicCreation: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  const deadLetters: Producer = kafka.producer(IDEMPOTENT_PRODUCER);
  await Promise.all([consumer.connect(), deadLetters.connect()]);
  await consumer.subscribe({ topic: TOPICS[topic].name, fromBeginning: options.fromBeginning ?? true });
  const ready = readiness(consumer);
  await consumer.run({
    autoCommit: true,
    // Partitions are handled in parallel; messages of one partition (one key) stay in order.
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 16,
    eachMessage: async ({ topic: topicName, partition, message, heartbeat }) => {
      const delivery: Delivery = {
        topic: topicName,
        partition,
        offset: message.offset,
        key: message.key ? message.key.toString('utf8') : null,
        headers: stringHeaders(message.headers),
        heartbeat,
      };
      let decoded: MessageOf<K>;
      try {
        decoded = decodeMessage(topic, message.value);
      } catch (err) {
        if (!(err instanceof ContractViolation)) throw err;
        log.warn({ err: err.message, ...delivery }, 'message breaks its contract; dead-lettered');
        const letter = deadLetterOf(groupId, delivery, message, err);
        await deadLetters.send({
          topic: TOPICS.deadLetter.name,
          acks: -1,
          messages: [{ key: delivery.key, value: JSON.stringify(letter), headers: message.headers }],
        });
        return;
      }
      await handle(decoded, delivery);
    },
  });
  return {
    consumer,
    ready,
    async stop() {
      await consumer.disconnect();
      await deadLetters.disconnect();
    },
  };
};
