import { type BaseConfig, baseConfig } from '@roster/service-kit';

export type MembershipConfig = BaseConfig;

/** KAFKA_BROKERS, MONGO_URL, ROSTER_MONGO_DATABASE, ROSTER_TOPIC_PARTITIONS, LOG_LEVEL (see the kit). */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): MembershipConfig => baseConfig(env);
