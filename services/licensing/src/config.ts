import { type BaseConfig, baseConfig, type ConsumerTimings } from '@roster/service-kit';

/** The kit's configuration; consumer-group timings default to `runConsumer`'s (tests shorten them). */
export type LicensingConfig = BaseConfig & ConsumerTimings;

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): LicensingConfig => baseConfig(env);
