import { STEPS, type Step } from '@roster/contracts';
import { type BaseConfig, baseConfig } from '@roster/service-kit';

export interface StatusConfig extends BaseConfig {
  /** Steps a SCIM write waits for before answering (ROSTER_AWAIT_STEPS, comma-separated). */
  awaits: Step[];
}

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): StatusConfig => {
  const awaits = (env.ROSTER_AWAIT_STEPS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = awaits.filter((s) => !(STEPS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`ROSTER_AWAIT_STEPS: unknown steps ${unknown.join(', ')} (known: ${STEPS.join(', ')})`);
  return { ...baseConfig(env), awaits: awaits as Step[] };
};
