import type { AuditEntry, LifecycleEvent, StepOutcome } from '@roster/contracts';
import type { Publisher } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';
import type { AuditTrail } from '../audit/audit-trail.ts';
import { resultMessage } from '../commands/messages.ts';
import type { UsersDirectory } from '../directory/users.ts';
import { commandCompletion } from '../domain/provisioning/completion.ts';
import { foldOutcome } from '../domain/provisioning/fold.ts';
import type { CommandLedger } from '../ledger/ledger.ts';
import { lifecycleEvents } from './lifecycle.ts';

/** Lifecycle events decided by folding one outcome, kept until published (keyed by the outcome id). */
interface PendingLifecycle {
  _id: string;
  events: LifecycleEvent[];
  published: boolean;
}

export const LIFECYCLE_OUTBOX_COLLECTION = 'lifecycle_outbox';

export const lifecycleOutbox = (db: Db): Collection<PendingLifecycle> =>
  db.collection<PendingLifecycle>(LIFECYCLE_OUTBOX_COLLECTION);

export interface OutcomeDeps {
  users: UsersDirectory;
  ledger: CommandLedger;
  audit: AuditTrail;
  publisher: Publisher;
  outbox: Collection<PendingLifecycle>;
  now(): string;
}

/**
 * Folds a user's step outcome into their provisioning view and publishes the lifecycle events of
 * the real changes it made. The events are fixed (stored under the outcome's id) before the view
 * is written, so a crash anywhere neither loses nor repeats one: a redelivery republishes the
 * stored events, and refolding the same outcome changes nothing.
 */
const foldIntoUser = async (deps: OutcomeDeps, outcome: StepOutcome): Promise<void> => {
  const user = await deps.users.collection.findOne({ _id: outcome.data.resource.id, tenant: outcome.tenant });
  if (!user) return;
  const { view, changes } = foldOutcome(user.provisioning, outcome.data, deps.now());
  let pending = await deps.outbox.findOne({ _id: outcome.id });
  if (!pending && changes.length === 0) {
    // Nothing to announce (the common case: a step confirming what the view already shows).
    await deps.users.collection.updateOne({ _id: user._id }, { $set: { provisioning: view } });
    return;
  }
  if (!pending) {
    pending = { _id: outcome.id, events: lifecycleEvents(outcome, user, changes), published: false };
    await deps.outbox.insertOne(pending);
  }
  await deps.users.collection.updateOne({ _id: user._id }, { $set: { provisioning: view } });
  if (pending.published) return;
  await deps.publisher.publish('lifecycle', pending.events);
  await deps.outbox.updateOne({ _id: outcome.id }, { $set: { published: true } });
};

/** Answers the waiting SCIM call once every step it waits for has reported. */
const completeCommand = async (deps: OutcomeDeps, outcome: StepOutcome): Promise<void> => {
  const { commandId, step, resource, result, reason } = outcome.data;
  const entry = await deps.ledger.recordOutcome(commandId, resource.id, step, {
    result,
    ...(reason ? { reason } : {}),
  });
  if (!entry || entry.completed || !entry.awaits.includes(step)) return;
  const completion = commandCompletion(entry.awaits, entry.outcomes ?? {});
  if (!completion.complete) return;
  const response = completion.error
    ? { status: completion.error.httpStatus, error: completion.error.toBody() }
    : entry.response;
  const document =
    completion.error || resource.type !== 'User'
      ? entry.document
      : ((await deps.users.collection.findOne({ _id: resource.id })) ?? entry.document);
  const command = { id: commandId, tenant: outcome.tenant, traceparent: outcome.traceparent };
  const message = resultMessage(command, {
    response,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    document,
  });
  await deps.publisher.publish('commandResults', [message.message]);
  await deps.ledger.markCompleted(commandId);
};

const outcomeAudit = (outcome: StepOutcome): Omit<AuditEntry, 'traceId'> => {
  const { step, resource, result, reason, state } = outcome.data;
  return {
    _id: outcome.id,
    tenant: outcome.tenant,
    resourceType: resource.type,
    resourceId: resource.id,
    at: outcome.time,
    kind: 'outcome',
    what: step,
    ...(state ? { change: state } : {}),
    result,
    ...(reason ? { detail: reason.message } : {}),
    ...(state?.step === 'licensing' ? { state: { license: state.license } } : {}),
    correlationId: outcome.correlationid,
  };
};

/** Handles one step outcome: audit, fold, answer. Each part is idempotent. */
export const processOutcome = async (deps: OutcomeDeps, outcome: StepOutcome): Promise<void> => {
  await deps.audit.record(outcomeAudit(outcome), outcome.traceparent);
  if (outcome.data.resource.type === 'User') await foldIntoUser(deps, outcome);
  await completeCommand(deps, outcome);
};
