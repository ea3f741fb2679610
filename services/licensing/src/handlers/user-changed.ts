import type { LicensingOutcomeRecord, StepOutcome, UserChanged } from '@roster/contracts';
import {
  type Clock,
  type Logger,
  type OrganizationSettings,
  type Publisher,
  stepOutcome,
} from '@roster/service-kit';
import type { LicensingStore } from '../store/licenses.ts';

const SOURCE = '/roster/licensing';

export interface HandlerDeps {
  store: LicensingStore;
  organizations: Pick<OrganizationSettings, 'get'>;
  publisher: Pick<Publisher, 'publish'>;
  log: Logger;
  clock: Clock;
}

/** The step outcome answering `change` with what licensing decided (or decided the first time). */
const outcomeOf = (change: UserChanged, record: LicensingOutcomeRecord): StepOutcome =>
  stepOutcome(SOURCE, change, {
    commandId: record.commandId,
    step: 'licensing',
    resource: { type: 'User', id: change.data.user.id, sequence: record.sequence },
    result: record.result,
    ...(record.reason ? { reason: record.reason } : {}),
    state: { step: 'licensing', license: record.license, role: record.role },
  });

/**
 * Users changed (one change, or a fetched batch, each partition's in order): the changes are decided and
 * written in one transaction, then their outcomes are published together (a redelivery
 * republishes the stored outcomes, with the same ids).
 */
export const handleUserChanges = async (deps: HandlerDeps, changes: UserChanged[]): Promise<void> => {
  const tenants = [...new Set(changes.map((change) => change.tenant))];
  const orgs = new Map(
    await Promise.all(tenants.map(async (t) => [t, await deps.organizations.get(t)] as const)),
  );
  for (const [tenant, org] of orgs)
    if (!org) deps.log.warn({ tenant }, 'organization not found; no default license or limits');
  const applied = await deps.store.apply(
    changes.map((change) => ({
      change: {
        tenant: change.tenant,
        commandId: change.data.commandId,
        sequence: change.data.sequence,
        time: change.time,
        user: change.data.user,
      },
      org: orgs.get(change.tenant) ?? undefined,
    })),
    deps.clock,
  );
  const outcomes = changes.map((change, i) => {
    const { outcome, redelivery } = applied[i]!;
    deps.log.info(
      {
        tenant: change.tenant,
        userId: change.data.user.id,
        sequence: change.data.sequence,
        result: outcome.result,
        license: outcome.license,
        role: outcome.role,
        redelivery,
        ...(outcome.reason ? { reason: outcome.reason.code } : {}),
      },
      'licensing outcome',
    );
    return outcomeOf(change, outcome);
  });
  await deps.publisher.publish('stepOutcomes', outcomes);
};
