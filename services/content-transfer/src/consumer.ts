import { randomUUID } from 'node:crypto';
import {
  ContractViolation,
  type DeadLetter,
  decodeMessage,
  type MessageOf,
  TOPICS,
  type TopicKey,
} from '@roster/contracts';
import { IDEMPOTENT_PRODUCER, type Logger, type RunningConsumer } from '@roster/service-kit';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';

/**
 * The kit's `runConsumer`, plus kafkajs's `heartbeat()` handed to the handler: a transfer moves
 * many batches inside one message, and the group must keep the member alive meanwhile. Same
 * contract otherwise: decode against the catalogue, dead-letter contract violations, commit the
 * offset only after the handler resolved, retry handler errors without ever skipping a message.
 * (Proposed kit change: expose `heartbeat` on `Delivery`; this file then goes away.)
 */
export interface HeartbeatConsumerOptions<K extends TopicKey> {
  kafka: Kafka;
  groupId: string;
  topic: K;
  log: Logger;
  handle: (message: MessageOf<K>, heartbeat: () => Promise<void>) => Promise<void>;
  sessionTimeout: number;
  heartbeatInterval: number;
  maxWaitTimeInMs?: number;
}

const stringHeaders = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.map(String).join(',') : String(value)]],
    ),
  );

const deadLetterOf = (
  groupId: string,
  origin: DeadLetter['origin'],
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
    origin,
    error: { kind: error.kind, message: error.message },
    value: isText
      ? { encoding: 'utf8', data: utf8 }
      : { encoding: 'base64', data: value ? value.toString('base64') : null },
  };
};

export const runHeartbeatConsumer = async <K extends TopicKey>(
  options: HeartbeatConsumerOptions<K>,
): Promise<RunningConsumer> => {
  const { kafka, groupId, topic, handle, log } = options;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeout,
    heartbeatInterval: options.heartbeatInterval,
    maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
    allowAutoTopicCreation: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  const deadLetters = kafka.producer(IDEMPOTENT_PRODUCER);
  await Promise.all([consumer.connect(), deadLetters.connect()]);
  await consumer.subscribe({ topic: TOPICS[topic].name, fromBeginning: true });
  const ready = new Promise<void>((resolve) => {
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
  await consumer.run({
    autoCommit: true,
    eachMessage: async ({ topic: topicName, partition, message, heartbeat }) => {
      let decoded: MessageOf<K>;
      try {
        decoded = decodeMessage(topic, message.value);
      } catch (err) {
        if (!(err instanceof ContractViolation)) throw err;
        const origin = {
          topic: topicName,
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString('utf8') : null,
          headers: stringHeaders(message.headers),
        };
        log.warn({ err: err.message, ...origin }, 'message breaks its contract; dead-lettered');
        await deadLetters.send({
          topic: TOPICS.deadLetter.name,
          acks: -1,
          messages: [
            {
              key: origin.key,
              value: JSON.stringify(deadLetterOf(groupId, origin, message, err)),
              headers: message.headers,
            },
          ],
        });
        return;
      }
      await handle(decoded, heartbeat);
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
