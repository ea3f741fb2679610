import { TOPICS, type TopicKey } from '@roster/contracts';
import { type Admin, Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { BaseConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { createPublisher, type Publisher, type PublisherOptions } from './publisher.ts';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through the service logger (warnings and errors only). */
export const createKafka = (clientId: string, brokers: string[], log: Logger): Kafka =>
  new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...extra } = entry;
        log[LEVEL_NAMES[level] ?? 'info']({ kafka: namespace, ...extra }, message);
      },
    retry: { initialRetryTime: 100, retries: 8 },
  });

/** Creates the catalogue topics a service touches if they do not exist yet (idempotent). */
export const ensureTopics = async (admin: Admin, topics: TopicKey[], partitions?: number): Promise<void> => {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(TOPICS[t].name));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: TOPICS[t].name,
      numPartitions: partitions ?? TOPICS[t].partitions,
      configEntries: [{ name: 'retention.ms', value: String(TOPICS[t].retentionMs) }],
    })),
  });
};

/**
 * A service's Kafka side, ready to work: a client, the catalogue topics it touches created if
 * missing, and an idempotent publisher.
 */
export const connectKafka = async (
  clientId: string,
  config: Pick<BaseConfig, 'kafkaBrokers' | 'topicPartitions'>,
  log: Logger,
  topics: TopicKey[],
  publisherOptions: PublisherOptions = {},
): Promise<{ kafka: Kafka; publisher: Publisher }> => {
  const kafka = createKafka(clientId, config.kafkaBrokers, log);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topics, config.topicPartitions);
  } finally {
    await admin.disconnect();
  }
  return { kafka, publisher: await createPublisher(kafka, publisherOptions) };
};
