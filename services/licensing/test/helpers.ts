import { randomUUID } from 'node:crypto';
import type { License, StepOutcome, UserChanged, UserSnapshot } from '@roster/contracts';
import { createLogger, type Logger } from '@roster/service-kit';
import {
  userChanged as directoryChange,
  type EmbeddedInfra,
  startEmbeddedInfra,
  waitFor,
} from '@roster/service-kit/testing';
import type { LicensingConfig } from '../src/config.ts';

export {
  type Collector,
  collect,
  collectDeadLetters,
  collectOutcomes,
  createOrganization,
  createProducer,
  PARTITIONS,
  produceChanges,
  snapshot,
  waitFor,
} from '@roster/service-kit/testing';

export const quietLog = (): Logger => createLogger('licensing', process.env.LOG_LEVEL ?? 'silent');

/** One embedded broker and store per suite, with plain kafkajs / mongodb clients for the test side. */
export interface Infra extends EmbeddedInfra {
  config(): LicensingConfig;
}

export const startInfra = async (): Promise<Infra> => {
  const infra = await startEmbeddedInfra('licensing');
  return { ...infra, config: () => ({ ...infra.baseConfig, sessionTimeout: 6_000, heartbeatInterval: 200 }) };
};

export const newUserId = (): string => randomUUID();

/** A user change as the status service publishes it, awaiting licensing. */
export const userChanged = (
  tenant: string,
  sequence: number,
  user: UserSnapshot,
  change: UserChanged['data']['change'] = sequence === 1 ? 'provisioned' : 'updated',
): UserChanged => directoryChange(tenant, sequence, user, change, ['licensing']);

/** The outcome answering `change` (same causation), once it arrived. */
export const outcomeOf = (outcomes: StepOutcome[], change: UserChanged): StepOutcome | undefined =>
  outcomes.find((o) => o.causationid === change.id);

export const waitForOutcome = (outcomes: StepOutcome[], change: UserChanged): Promise<StepOutcome> =>
  waitFor(() => outcomeOf(outcomes, change), { what: `the outcome of ${change.id}` });

export type SeatCounts = Partial<Record<License, number>>;
