import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type BaseConfig,
  baseConfig,
  integer,
  type RetentionSeconds,
  required,
  retentionOf,
} from '@roster/service-kit';
import type { BackpressureLimits } from './backpressure/policy.ts';
import type { TenantShare } from './http/tenant-fairness.ts';

export interface IngressConfig extends BaseConfig {
  host: string;
  port: number;
  adminToken: string;
  /** How long a SCIM write waits for its result before answering 503 + Retry-After. */
  deadlineMs: number;
  trustProxy: boolean;
  /** Development mode only: the content-transfer service's seeding endpoint (admin POST /content). */
  contentServiceUrl: string | undefined;
  /** This replica's consumer group on the command results (one per replica, stable across restarts). */
  resultsGroupId: string;
  /** Each organization's share of this replica (429 + Retry-After beyond it). */
  tenantShare: TenantShare;
  /** Past these, SCIM writes are answered 503 + Retry-After at once (the whole pipeline's limits). */
  backpressure: BackpressureLimits;
  /** ROSTER_ORG_OUTBOX_RETENTION, default 14d: how long published org-change outbox entries are kept. */
  orgOutboxRetention: RetentionSeconds;
}

/**
 * ROSTER_INSTANCE_ID names a replica (e.g. a StatefulSet pod); otherwise host name and port do,
 * which two replicas never share. Only a replica on an ephemeral port (PORT=0) gets a random id.
 */
const resultsGroupIdOf = (env: NodeJS.ProcessEnv, port: number): string => {
  const instance = env.ROSTER_INSTANCE_ID || (port === 0 ? randomUUID() : `${hostname()}-${port}`);
  return `roster-ingress-${instance}`;
};

const positive = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const value = integer(env, name, fallback);
  if (value < 1) throw new Error(`${name} must be at least 1`);
  return value;
};

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): IngressConfig => {
  const port = integer(env, 'PORT', 8080);
  return {
    ...baseConfig(env),
    host: env.HOST || '127.0.0.1',
    port,
    adminToken: required(env, 'ROSTER_ADMIN_TOKEN'),
    deadlineMs: integer(env, 'ROSTER_SCIM_DEADLINE_MS', 10_000),
    trustProxy: env.ROSTER_TRUST_PROXY === 'true',
    contentServiceUrl: env.ROSTER_DEV_MODE === 'true' ? env.ROSTER_CONTENT_URL || undefined : undefined,
    resultsGroupId: resultsGroupIdOf(env, port),
    // Entra asks SCIM apps to take 25 requests/s per provisioning job and Okta sends a few calls
    // at a time per app: twice that rate, and a few writes in flight while others write, rarely
    // throttle either (and a 429 costs them the 1 s Retry-After, not a failure).
    tenantShare: {
      requestsPerWindow: positive(env, 'ROSTER_TENANT_RATE_LIMIT', 500),
      windowMs: positive(env, 'ROSTER_TENANT_RATE_WINDOW_MS', 10_000),
      writesInFlight: positive(env, 'ROSTER_TENANT_WRITES_IN_FLIGHT', 8),
      sharedWritesInFlight: positive(env, 'ROSTER_TENANT_SHARED_WRITES_IN_FLIGHT', 2),
      sharedChangesPerSecond: positive(env, 'ROSTER_TENANT_SHARED_CHANGES_PER_SECOND', 200),
    },
    // At about 100 results a second, a lag of 1000 is a 10 s wait (the default deadline): past
    // it a write would only spend its deadline in the queue. 512 writes in flight is far beyond what
    // IdPs send one replica (a few per job) and well within one process's memory.
    backpressure: {
      commandLag: positive(env, 'ROSTER_BACKPRESSURE_COMMAND_LAG', 1000),
      writesInFlight: positive(env, 'ROSTER_BACKPRESSURE_WRITES_IN_FLIGHT', 512),
    },
    // Published entries are never published again, so consumers do not depend on them: kept to
    // see what was announced when; the default is the lifecycle outbox's (ROSTER_OUTBOX_RETENTION).
    orgOutboxRetention: retentionOf(env, 'ROSTER_ORG_OUTBOX_RETENTION', '14d'),
  };
};
