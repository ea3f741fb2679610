/** Environment configuration shared by every service. Production sets KAFKA_BROKERS and MONGO_URL. */
export interface BaseConfig {
  kafkaBrokers: string[];
  mongoUrl: string;
  mongoDatabase: string;
  topicPartitions: number | undefined;
}

export const required = (env: NodeJS.ProcessEnv, name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

export const integer = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
};

export const baseConfig = (env: NodeJS.ProcessEnv = process.env): BaseConfig => ({
  kafkaBrokers: required(env, 'KAFKA_BROKERS')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean),
  mongoUrl: required(env, 'MONGO_URL'),
  mongoDatabase: env.ROSTER_MONGO_DATABASE || 'roster',
  topicPartitions: env.ROSTER_TOPIC_PARTITIONS ? integer(env, 'ROSTER_TOPIC_PARTITIONS', 0) : undefined,
});
