import type { TopicKey } from '@roster/contracts';
import type { BaseConfig } from './config.ts';
import { connectKafka } from './kafka/client.ts';
import { type ConsumerOptions, type RunningConsumer, runConsumer } from './kafka/consume.ts';
import type { Publisher } from './kafka/publisher.ts';
import type { Logger } from './log.ts';
import { connectMongo, type MongoHandle } from './mongo/connect.ts';
import { brokerReachable, consumerAssigned, type ReadinessCheck, storeReachable } from './ops/readiness.ts';

/** A class that owns its collections: the service creates their indexes before consuming. */
export interface Store {
  ensureIndexes(): Promise<void>;
}

/** Something the service opens besides its consumers (an HTTP endpoint…), closed after them. */
export interface Resource {
  close(): Promise<void>;
}

/** Consumer-group timings for every consumer of the service (`runConsumer` defaults when absent). */
export type ConsumerTimings = Partial<
  Pick<ConsumerOptions<TopicKey>, 'sessionTimeout' | 'heartbeatInterval'>
>;

export type ConsumerServiceConfig = Pick<
  BaseConfig,
  'kafkaBrokers' | 'topicPartitions' | 'mongoUrl' | 'mongoDatabase'
> &
  ConsumerTimings;

/** One consumer: its own group, one topic, its handler (and, rarely, options of its own). */
export type ConsumerSpec<K extends TopicKey> = Omit<ConsumerOptions<K>, 'kafka' | 'log'>;

type ConsumerSpecs = { [K in TopicKey]: ConsumerSpec<K> };

/** A consumer of any catalogue topic, its handler typed by that topic. */
export type AnyConsumerSpec = ConsumerSpecs[TopicKey];

/** What the service's handlers are wired with. */
export interface ServiceContext<S> {
  stores: S;
  mongo: MongoHandle;
  publisher: Publisher;
  log: Logger;
  /** Aborted as soon as the service starts stopping: long handlers stop between two steps. */
  stopping: AbortSignal;
}

export interface ConsumerServiceSpec<
  S extends Record<string, Store>,
  R extends Record<string, Resource | undefined>,
> {
  /** The Kafka client id, e.g. `roster-licensing`. */
  clientId: string;
  config: ConsumerServiceConfig;
  log: Logger;
  /** Every catalogue topic the service consumes or publishes to, created if missing. */
  topics: TopicKey[];
  /** The service's stores on its database; their indexes exist before anything is consumed. */
  stores(mongo: MongoHandle): S;
  /** Opened before the consumers start, closed after they stopped. */
  resources?(context: ServiceContext<S>): Promise<R>;
  consumers(context: ServiceContext<S>): AnyConsumerSpec[];
}

export interface RunningConsumerService<R = Record<never, never>> {
  resources: R;
  /** Resolves once every consumer joined its group and fetches its partitions. */
  ready: Promise<void>;
  /** Rejects once any of its consumers crashed for good (the process should end and be restarted). */
  crashed: Promise<never>;
  /** What `/readyz` checks: store and broker reachable, every consumer in its group. */
  readiness: ReadinessCheck[];
  /** Stops the consumers (in-flight handlers finish or give up), then the resources, the publisher, MongoDB. */
  stop(): Promise<void>;
}

const start = <K extends TopicKey>(
  base: Pick<ConsumerOptions<K>, 'kafka' | 'log'> & ConsumerTimings,
  spec: ConsumerSpecs[K],
): Promise<RunningConsumer> => runConsumer<K>({ ...base, ...spec });

/**
 * Starts a consumer service the one way every Roster consumer starts: connect MongoDB, create the
 * stores' indexes, connect Kafka (topics created if missing, one idempotent publisher), open the
 * resources, then run one consumer per group.
 */
export const startConsumerService = async <
  S extends Record<string, Store>,
  R extends Record<string, Resource | undefined> = Record<never, never>,
>(
  spec: ConsumerServiceSpec<S, R>,
): Promise<RunningConsumerService<R>> => {
  const { config, log } = spec;
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase);
  const stores = spec.stores(mongo);
  await Promise.all(Object.values(stores).map((store) => store.ensureIndexes()));
  const { kafka, publisher } = await connectKafka(spec.clientId, config, log, spec.topics);
  const stopping = new AbortController();
  const context: ServiceContext<S> = { stores, mongo, publisher, log, stopping: stopping.signal };
  // Without `resources`, R is its default: no resources.
  const resources = ((await spec.resources?.(context)) ?? {}) as R;
  const base = {
    kafka,
    log,
    sessionTimeout: config.sessionTimeout,
    heartbeatInterval: config.heartbeatInterval,
  };
  const consumers: RunningConsumer[] = [];
  const groupIds: string[] = [];
  for (const consumer of spec.consumers(context)) {
    consumers.push(await start(base, consumer));
    groupIds.push(consumer.groupId);
  }
  const readiness = [
    storeReachable(mongo),
    brokerReachable(kafka),
    ...consumers.map((c, i) => consumerAssigned(c, `consumer ${groupIds[i]}`)),
  ];
  return {
    resources,
    ready: Promise.all(consumers.map((c) => c.ready)).then(() => undefined),
    crashed: Promise.race(consumers.map((c) => c.crashed)),
    readiness,
    async stop() {
      stopping.abort();
      await Promise.all(consumers.map((c) => c.stop()));
      await Promise.all(readiness.map((check) => check.close?.()));
      for (const resource of Object.values(resources)) await resource?.close();
      await publisher.close();
      await mongo.close();
    },
  };
};
