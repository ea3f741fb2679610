import { randomUUID } from 'node:crypto';
import type { DeadLetter, License, StepOutcome, UserChanged, UserSnapshot } from '@roster/contracts';
import { createLogger, type Logger } from '@roster/service-kit';
import {
  type Collector,
  collectDeadLetters,
  collectOutcomes,
  createProducer,
  userChanged as directoryChange,
  type EmbeddedInfra,
  produceChanges,
  snapshot,
  startEmbeddedInfra,
  waitFor,
} from '@roster/service-kit/testing';
import type { Kafka, Producer } from 'kafkajs';
import type { LicensingConfig } from '../src/config.ts';

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

/**
 * The test's side of the topics: it produces directory changes and collects what licensing
 * publishes. Started once licensing created the topics.
 */
export interface Traffic {
  producer: Producer;
  outcomes: Collector<StepOutcome>;
  deadLetters: Collector<DeadLetter>;
  /** Produces directory changes (or raw records); resolves with the partitions they went to. */
  produce(...messages: Parameters<typeof produceChanges>[1]): Promise<number[]>;
  /** The outcome answering `change` (same causation), once it arrived. */
  outcomeOf(change: UserChanged): Promise<StepOutcome>;
  stop(): Promise<void>;
}

export const startTraffic = async (kafka: Kafka): Promise<Traffic> => {
  const [producer, outcomes, deadLetters] = await Promise.all([
    createProducer(kafka),
    collectOutcomes(kafka),
    collectDeadLetters(kafka),
  ]);
  return {
    producer,
    outcomes,
    deadLetters,
    produce: (...messages) => produceChanges(producer, messages),
    outcomeOf: (change) =>
      waitFor(() => outcomes.messages.find((o) => o.causationid === change.id), {
        what: `the outcome of ${change.id}`,
      }),
    async stop() {
      await Promise.all([outcomes.stop(), deadLetters.stop(), producer.disconnect()]);
    },
  };
};

/** A user whose successive snapshots are delivered with growing sequences. */
export const userFlow = (tenant: string) => {
  const id = newUserId();
  let sequence = 0;
  return {
    id,
    next: (overrides: Partial<UserSnapshot> = {}, change?: UserChanged['data']['change']) =>
      userChanged(tenant, ++sequence, snapshot(id, overrides), change),
  };
};

export type SeatCounts = Partial<Record<License, number>>;
