import { STEPS, type Step, TOPICS } from '@roster/contracts';
import { type BaseConfig, baseConfig, type RetentionSeconds, retentionOf } from '@roster/service-kit';

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
