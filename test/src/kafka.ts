import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';

/** A plain kafkajs client, as a downstream team would use it. */
export const kafkaFor = (brokers: string) =>
  new Kafka({
    clientId: `system-test-${process.pid}`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });

export interface Collected {
  messages: {
    partition: number;
    offset: string;
    key: string | null;
    headers: Record<string, string>;
    value: any;
  }[];
  stop(): Promise<void>;
}

/** Reads a topic from the beginning in a fresh consumer group and collects every message. */
export const collect = async (brokers: string, topic: string): Promise<Collected> => {
  const consumer = kafkaFor(brokers).consumer({
    groupId: `system-test-${Math.random().toString(36).slice(2)}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 50,
  });
  const messages: Collected['messages'] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      const text = message.value?.toString('utf8') ?? '';
      let value: unknown = text;
      try {
        value = JSON.parse(text);
      } catch {}
      messages.push({
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        value,
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
};
