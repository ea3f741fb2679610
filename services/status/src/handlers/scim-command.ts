import type { AuditEntry, Command, TopicKey } from '@roster/contracts';
import { scimErrors } from '@roster/scim';
import { InvariantViolation, isDuplicateKey, type Publisher } from '@roster/service-kit';
import { resultMessage } from '../messages/command.ts';
import type { AuditTrail } from '../store/audit-trail.ts';
import type { GroupsDirectory } from '../store/groups.ts';
import type { CommandLedger, LedgerEntry } from '../store/ledger.ts';
import type { UsersDirectory } from '../store/users.ts';
import { type DecideDeps, decideCommand } from './ledger-entry.ts';

export interface ProcessDeps extends DecideDeps {
  ledger: CommandLedger;
  audit: AuditTrail;
  publisher: Publisher;
  users: UsersDirectory;
  groups: GroupsDirectory;
}

const applyWrite = async (deps: ProcessDeps, entry: LedgerEntry): Promise<void> => {
  const write = entry.write;
  if (!write) return;
  if (write.kind === 'user') await deps.users.apply(write.doc);
  else if (write.kind === 'group') await deps.groups.apply(write.doc);
  else await deps.groups.remove(write.tenant, write.id);
};

/** Publishes a ledger entry's outbox in order, batching consecutive messages of one topic. */
export const publishOutbox = async (publisher: Publisher, entry: LedgerEntry): Promise<void> => {
  let batch: LedgerEntry['outbox'] = [];
  const flush = async () => {
    const [first] = batch;
    if (first)
      await publisher.publish(
        first.topic as TopicKey,
        batch.map((m) => m.message),
      );
    batch = [];
  };
  for (const item of entry.outbox) {
    if (batch[0] && batch[0].topic !== item.topic) await flush();
    batch.push(item);
  }
  await flush();
};

/**
 * Handles one command delivery: decide once (the ledger keeps the decision), apply its write,
 * publish its outbox. Every step is idempotent, so a redelivery after a crash finishes the job
 * without doing anything twice.
 */
export const handleScimCommand = async (deps: ProcessDeps, command: Command): Promise<void> => {
  let entry =
    (await deps.ledger.find(command.id)) ?? (await deps.ledger.record(await decideCommand(deps, command)));
  // A replayed or forged id must never answer one tenant with another tenant's decision.
  if (entry.tenant !== command.tenant)
    throw new InvariantViolation(`command id ${command.id} is already recorded for another organization`);
  if (entry.published) return;
  try {
    await applyWrite(deps, entry);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // A user on another partition took the userName/externalId between decision and write.
    const error = scimErrors.uniqueness('userName or externalId is already taken');
    const response = { status: error.httpStatus, error: error.toBody() };
    entry = await deps.ledger.reject(entry, response, [
      resultMessage(command, { ...entry, response, document: undefined }),
    ]);
  }
  await deps.audit.record(decisionAudit(command, entry), command.traceparent);
  await publishOutbox(deps.publisher, entry);
  await deps.ledger.markPublished(entry._id);
};

const stateOf = (document: LedgerEntry['document']) => {
  if (!document) return undefined;
  const version = document.meta.version;
  return 'userNameKey' in document
    ? { version, active: document.resource.active, scimDeleted: document.scimDeleted }
    : { version };
};

/** The audit entry of a decision: who asked for what, and what the directory answered. */
export const decisionAudit = (
  command: Command,
  entry: Pick<LedgerEntry, 'resourceType' | 'resourceId' | 'response' | 'document'>,
): Omit<AuditEntry, 'traceId'> => {
  const { actor, ...change } = command.data;
  const state = stateOf(entry.document);
  return {
    _id: command.id,
    tenant: command.tenant,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    at: command.time,
    kind: 'command',
    what: command.type,
    actor,
    change,
    result: entry.response.error ? 'rejected' : 'accepted',
    status: entry.response.status,
    ...(entry.response.error?.detail ? { detail: entry.response.error.detail } : {}),
    ...(state ? { state } : {}),
    correlationId: command.correlationid,
  };
};
