import { TOPICS } from '@roster/contracts';
import { createLogger, createPublisher, type Logger, type Publisher } from '@roster/service-kit';
import { type Collector, collect, type EmbeddedInfra, startEmbeddedInfra } from '@roster/service-kit/testing';
import { AdminChanges } from '../src/pipeline/admin-changes.ts';
import { OrgChangeRelay, type RelayTiming } from '../src/pipeline/org-change-relay.ts';
import type { OrgChange } from '../src/pipeline/org-events.ts';
import { OrgChangeOutbox } from '../src/store/org-change-outbox.ts';
import { RelayLeases } from '../src/store/relay-leases.ts';
import { Transactions } from '../src/store/transactions.ts';
import { Workspaces } from '../src/store/workspaces.ts';

export const quietLog = (): Logger => createLogger('ingress', process.env.LOG_LEVEL ?? 'silent');

/** One partition: everything published is in one sequence, so publication order is observable. */
export const startInfra = (): Promise<EmbeddedInfra> =>
  startEmbeddedInfra('ingress', { keys: ['orgChanges'], partitions: 1 });

export const TIMING: RelayTiming = { sweepIntervalMs: 100, leaseMs: 30_000, stopWaitMs: 5_000 };

/** The admin side of one ingress replica over the suite's store and broker, as the service wires it. */
export interface Replica {
  workspaces: Workspaces;
  outbox: OrgChangeOutbox;
  leases: RelayLeases;
  transactions: Transactions;
  relay: OrgChangeRelay;
  changes: AdminChanges;
  stop(): Promise<void>;
}

export const startReplica = async (
  infra: EmbeddedInfra,
  { timing = TIMING, start = true }: { timing?: RelayTiming; start?: boolean } = {},
): Promise<Replica> => {
  const workspaces = new Workspaces(infra.db);
  const outbox = new OrgChangeOutbox(infra.db, 3_600);
  await Promise.all([workspaces.ensureIndexes(), outbox.ensureIndexes()]);
  const leases = new RelayLeases(infra.db);
  const transactions = new Transactions(infra.mongo, 5_000);
  const publisher: Publisher = await createPublisher(infra.kafka);
  const relay = new OrgChangeRelay({ outbox, leases, publisher, log: quietLog(), timing });
  if (start) relay.start();
  const changes = new AdminChanges({ transactions, outbox, relay, announceWaitMs: 5_000 });
  return {
    workspaces,
    outbox,
    leases,
    transactions,
    relay,
    changes,
    async stop() {
      await relay.stop();
      await publisher.close();
    },
  };
};

/** Everything published on the org-changes topic, from the beginning. */
export const collectOrgChanges = (kafka: EmbeddedInfra['kafka']): Promise<Collector<OrgChange>> =>
  collect<OrgChange>(kafka, TOPICS.orgChanges.name);
