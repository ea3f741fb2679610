import { type BaseConfig, baseConfig, type ConsumerTimings } from '@roster/service-kit';

/** The kit's configuration; consumer-group timings default to `runConsumer`'s (tests shorten them). */
export type MembershipConfig = BaseConfig & ConsumerTimings;

/** KAFKA_BROKERS, MONGO_URL, ROSTER_MONGO_DATABASE, ROSTER_TOPIC_PARTITIONS, LOG_LEVEL (see the kit). */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): MembershipConfig => baseConfig(env);
