import type { Kafka } from 'kafkajs';
import type { RunningConsumer } from '../kafka/consume.ts';
import type { MongoHandle } from '../mongo/connect.ts';

/** One condition of `/readyz`: `check` resolves when it holds and throws (saying why) when not. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /** Releases what the check holds open (a connection), when the service stops. */
  close?(): Promise<void>;
}

/** The store answers a `ping`. */
export const storeReachable = (mongo: MongoHandle): ReadinessCheck => ({
  name: 'store',
  check: async () => {
    await mongo.db.command({ ping: 1 });
  },
});

/** The broker answers a metadata request (one admin connection, kept for the process's life). */
export const brokerReachable = (kafka: Kafka): ReadinessCheck => {
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  return {
    name: 'broker',
    check: async () => {
      connected ??= admin.connect().catch((err: unknown) => {
        connected = undefined;
        throw err;
      });
      await connected;
      await admin.describeCluster();
    },
    close: async () => {
      if (connected) await admin.disconnect();
    },
  };
};

/** The consumer joined its group and was assigned partitions (or the group has more members than partitions). */
export const consumerAssigned = (consumer: RunningConsumer, name = 'consumer'): ReadinessCheck => ({
  name,
  check: async () => {
    if (!consumer.isJoined()) throw new Error('not a member of its group yet');
  },
});
