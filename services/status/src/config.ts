import { STEPS, type Step, TOPICS } from '@roster/contracts';
import { type BaseConfig, baseConfig } from '@roster/service-kit';
import type { RetentionSeconds } from './store/retention.ts';

export interface Retention {
  /** ROSTER_LEDGER_RETENTION, default 14d: the ledger dedupes redelivered commands this long. */
  ledger: RetentionSeconds;
  /** ROSTER_AUDIT_RETENTION, default 365d (or `forever`): how long the audit trail is kept. */
  audit: RetentionSeconds;
  /** ROSTER_OUTBOX_RETENTION, default 14d: how long published lifecycle outbox entries are kept. */
  lifecycleOutbox: RetentionSeconds;
}

export interface StatusConfig extends BaseConfig {
  /** Steps a SCIM write waits for before answering (ROSTER_AWAIT_STEPS, comma-separated). */
  awaits: Step[];
  retention: Retention;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** `14d`, `12h`, `30m`, `90s`, or `forever` (undefined). */
const retentionOf = (env: NodeJS.ProcessEnv, name: string, fallback: string): RetentionSeconds => {
  const raw = env[name] || fallback;
  if (raw === 'forever') return undefined;
  const match = /^(\d+)([smhd])$/.exec(raw);
  if (!match || Number(match[1]) < 1)
    throw new Error(`${name} must be a duration such as 14d, 12h, 30m, 90s, or forever; got ${raw}`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
};

// Kafka deletes whole segments, so a message can outlive retention.ms by up to segment.ms (7 days
// by default): the defaults keep twice the topics' 7 days.
export const loadRetention = (env: NodeJS.ProcessEnv): Retention => ({
  ledger: retentionOf(env, 'ROSTER_LEDGER_RETENTION', '14d'),
  audit: retentionOf(env, 'ROSTER_AUDIT_RETENTION', '365d'),
  lifecycleOutbox: retentionOf(env, 'ROSTER_OUTBOX_RETENTION', '14d'),
});

/**
 * Retentions shorter than the topics they dedupe: a message redelivered after its entry expired
 * would be handled as new (a command decided again, an outcome's lifecycle events announced again).
 */
export const retentionWarnings = (retention: Retention): string[] => {
  const tooShort = (what: string, seconds: RetentionSeconds, topic: keyof typeof TOPICS) =>
    seconds !== undefined && seconds * 1000 < TOPICS[topic].retentionMs
      ? [
          `${what} is kept ${seconds} s, shorter than ${TOPICS[topic].name} (${TOPICS[topic].retentionMs / 1000} s)`,
        ]
      : [];
  return [
    ...tooShort('the command ledger', retention.ledger, 'scimCommands'),
    ...tooShort('the lifecycle outbox', retention.lifecycleOutbox, 'stepOutcomes'),
  ];
};

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): StatusConfig => {
  const awaits = (env.ROSTER_AWAIT_STEPS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = awaits.filter((s) => !(STEPS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`ROSTER_AWAIT_STEPS: unknown steps ${unknown.join(', ')} (known: ${STEPS.join(', ')})`);
  return { ...baseConfig(env), awaits: awaits as Step[], retention: loadRetention(env) };
};
