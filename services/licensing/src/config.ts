import { type BaseConfig, baseConfig } from '@roster/service-kit';

export interface LicensingConfig extends BaseConfig {
  /** Consumer group timings (kafkajs defaults when absent); tests shorten them. */
  sessionTimeout?: number;
  heartbeatInterval?: number;
}

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): LicensingConfig => baseConfig(env);
