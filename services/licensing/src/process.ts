import { createHash } from 'node:crypto';
import {
  envelope,
  type LicensingOutcomeRecord,
  type MessageOf,
  type StepOutcome,
  type UserChanged,
} from '@roster/contracts';
import {
  childTraceparent,
  type Logger,
  type OrganizationSettings,
  type Publisher,
} from '@roster/service-kit';
import type { LicensingStore } from './licenses/store.ts';

export const LICENSING_SOURCE = '/roster/licensing';

export interface ProcessDeps {
  store: LicensingStore;
  organizations: Pick<OrganizationSettings, 'get'>;
  publisher: Pick<Publisher, 'publish'>;
  log: Logger;
  now: () => string;
}

/** A stable id per (change, step): a republished outcome carries the id of the first one. */
const outcomeId = (changeId: string): string => {
  const hex = createHash('sha256').update(`licensing:${changeId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export const outcomeMessage = (change: UserChanged, record: LicensingOutcomeRecord): StepOutcome =>
  envelope(
    'roster.outcome.step.v1',
    {
      id: outcomeId(change.id),
      source: LICENSING_SOURCE,
      tenant: change.tenant,
      subject: change.data.user.id,
      correlationid: change.correlationid,
      causationid: change.id,
      traceparent: childTraceparent(change.traceparent),
    },
    {
      commandId: record.commandId,
      step: 'licensing',
      resource: { type: 'User', id: change.data.user.id, sequence: record.sequence },
      result: record.result,
      ...(record.reason ? { reason: record.reason } : {}),
      state: { step: 'licensing', license: record.license, role: record.role },
    },
  );

/**
 * Handles one directory change: a user change is decided and written in one transaction, then its
 * outcome is published (a redelivery republishes the stored outcome); group changes are not
 * licensing's business and are only acknowledged.
 */
export const processDirectoryChange = async (
  deps: ProcessDeps,
  message: MessageOf<'directoryChanges'>,
): Promise<void> => {
  if (message.type !== 'roster.directory.user.changed.v1') return;
  const change = message;
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
    deps.now,
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
  await deps.publisher.publish('stepOutcomes', [outcomeMessage(change, outcome)]);
};
