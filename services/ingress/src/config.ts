import { type BaseConfig, baseConfig, integer, required } from '@roster/service-kit';

export interface IngressConfig extends BaseConfig {
  host: string;
  port: number;
  adminToken: string;
  /** How long a SCIM write waits for its result before answering 503 + Retry-After. */
  deadlineMs: number;
  trustProxy: boolean;
  /** Development mode only: the content-transfer service's seeding endpoint (admin POST /content). */
  contentServiceUrl: string | undefined;
}

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): IngressConfig => ({
  ...baseConfig(env),
  host: env.HOST || '127.0.0.1',
  port: integer(env, 'PORT', 8080),
  adminToken: required(env, 'ROSTER_ADMIN_TOKEN'),
  deadlineMs: integer(env, 'ROSTER_SCIM_DEADLINE_MS', 10_000),
  trustProxy: env.ROSTER_TRUST_PROXY === 'true',
  contentServiceUrl: env.ROSTER_DEV_MODE === 'true' ? env.ROSTER_CONTENT_URL || undefined : undefined,
});
