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
 * A user changed: the change is decided and written in one transaction, then its outcome is
 * published (a redelivery republishes the stored outcome, with the same id).
 */
export const handleUserChanged = async (deps: HandlerDeps, change: UserChanged): Promise<void> => {
  const org = await deps.organizations.get(change.tenant);
  if (!org) deps.log.warn({ tenant: change.tenant }, 'organization not found; no default license or limits');
  const { outcome, redelivery } = await deps.store.apply(
    {
      tenant: change.tenant,
      commandId: change.data.commandId,
      sequence: change.data.sequence,
      time: change.time,
      user: change.data.user,
    },
    org ?? undefined,
    deps.clock,
  );
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
  await deps.publisher.publish('stepOutcomes', [outcomeOf(change, outcome)]);
};
