import { type BaseConfig, baseConfig, integer, required } from '@roster/service-kit';

export interface ContentTransferConfig extends BaseConfig {
  /** items moved per batch (ROSTER_CONTENT_BATCH_SIZE, default 100) */
  batchSize: number;
  /** pause after each batch (ROSTER_CONTENT_BATCH_DELAY_MS, default 0; demos and crash tests) */
  batchDelayMs: number;
  /** how long a runner holds a transfer without renewing it (ROSTER_CONTENT_LEASE_MS, default 30 s) */
  leaseMs: number;
  /**
   * The development seeding endpoint: only with ROSTER_DEV_MODE=true, on loopback only (HOST is the
   * ingress's), port ROSTER_CONTENT_PORT (default 0 = ephemeral), behind the admin token
   * (ROSTER_ADMIN_TOKEN, which the ingress forwards).
   */
  seeding: { port: number; adminToken: string } | undefined;
  /** consumer group session (ROSTER_CONSUMER_SESSION_TIMEOUT_MS, default 30 s) and heartbeat interval */
  sessionTimeout: number;
  heartbeatInterval: number;
}

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): ContentTransferConfig => {
  const batchSize = integer(env, 'ROSTER_CONTENT_BATCH_SIZE', 100);
  if (batchSize < 1) throw new Error('ROSTER_CONTENT_BATCH_SIZE must be at least 1');
  const sessionTimeout = integer(env, 'ROSTER_CONSUMER_SESSION_TIMEOUT_MS', 30_000);
  return {
    ...baseConfig(env),
    batchSize,
    batchDelayMs: integer(env, 'ROSTER_CONTENT_BATCH_DELAY_MS', 0),
    leaseMs: integer(env, 'ROSTER_CONTENT_LEASE_MS', 30_000),
    seeding:
      env.ROSTER_DEV_MODE === 'true'
        ? { port: integer(env, 'ROSTER_CONTENT_PORT', 0), adminToken: required(env, 'ROSTER_ADMIN_TOKEN') }
        : undefined,
    sessionTimeout,
    heartbeatInterval: integer(
      env,
      'ROSTER_CONSUMER_HEARTBEAT_INTERVAL_MS',
      Math.max(100, Math.floor(sessionTimeout / 10)),
    ),
  };
};
