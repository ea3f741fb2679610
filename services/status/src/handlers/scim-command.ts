import type { AuditEntry, Command, TopicKey } from '@roster/contracts';
import { InvariantViolation, type Publisher } from '@roster/service-kit';
import type { AuditTrail } from '../store/audit-trail.ts';
import type { LedgerEntry } from '../store/ledger.ts';
import { type RecordDeps, recordDecision } from './record-decision.ts';

export interface ProcessDeps extends RecordDeps {
  audit: AuditTrail;
  publisher: Publisher;
}

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
 * Handles one command delivery: decide once and record the decision together with its write (the
 * ledger keeps it), then audit and publish its outbox. A redelivery whose decision is recorded
 * only finishes the publishing, so a crash anywhere neither loses nor doubles an effect.
 */
export const handleScimCommand = async (deps: ProcessDeps, command: Command): Promise<void> => {
  const entry = (await deps.ledger.find(command.id)) ?? (await recordDecision(deps, command));
  // A replayed or forged id must never answer one tenant with another tenant's decision.
  if (entry.tenant !== command.tenant)
    throw new InvariantViolation(`command id ${command.id} is already recorded for another organization`);
  if (entry.published) return;
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
