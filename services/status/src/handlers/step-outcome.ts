import type { AuditEntry, StepOutcome, UserDocument } from '@roster/contracts';
import type { Clock, Publisher } from '@roster/service-kit';
import { commandCompletion } from '../domain/provisioning/completion.ts';
import { foldOutcome } from '../domain/provisioning/fold.ts';
import { resultMessage } from '../messages/command.ts';
import { lifecycleEvents } from '../messages/outcome.ts';
import { recordStepOutcome } from '../step-metrics.ts';
import type { AuditTrail } from '../store/audit-trail.ts';
import type { CommandLedger } from '../store/ledger.ts';
import type { LifecycleOutbox } from '../store/lifecycle-outbox.ts';
import type { UsersDirectory } from '../store/users.ts';

export interface OutcomeDeps {
  users: UsersDirectory;
  ledger: CommandLedger;
  audit: AuditTrail;
  publisher: Publisher;
  outbox: LifecycleOutbox;
  clock: Clock;
}

/**
 * Folds a user's step outcome into their provisioning view and publishes the lifecycle events of
 * the real changes it made. The events are fixed (stored under the outcome's id) before the view
 * is written, so a crash anywhere never loses one nor decides a different one: a redelivery
 * republishes the stored events under their ids, and refolding the same outcome changes nothing.
 */
const foldIntoUser = async (deps: OutcomeDeps, outcome: StepOutcome): Promise<void> => {
  const user = await deps.users.document(outcome.tenant, outcome.data.resource.id);
  if (!user) return;
  const { view, changes } = foldOutcome(user.provisioning, outcome.data, deps.clock.now());
  let pending = await deps.outbox.find(outcome.id);
  if (!pending && changes.length === 0) {
    // Nothing to announce (the common case: a step confirming what the view already shows).
    await deps.users.setProvisioning(user.tenant, user._id, view);
    return;
  }
  if (!pending) {
    pending = { _id: outcome.id, events: lifecycleEvents(outcome, user, changes), published: false };
    await deps.outbox.add(pending);
  }
  await deps.users.setProvisioning(user.tenant, user._id, view);
  if (pending.published) return;
  await deps.publisher.publish('lifecycle', pending.events);
  await deps.outbox.markPublished(outcome.id);
};

/**
 * The user as the command left it (its version witnesses which change the answer acknowledges,
 * even when a later command changed the user meanwhile), with the steps' view as it now stands.
 */
const withCurrentProvisioning = async (
  deps: OutcomeDeps,
  tenant: string,
  decided: UserDocument | undefined,
): Promise<UserDocument | undefined> => {
  if (!decided) return undefined;
  const provisioning = (await deps.users.document(tenant, decided._id))?.provisioning;
  return provisioning ? { ...decided, provisioning } : decided;
};

/** Answers the waiting SCIM call once every step it waits for has reported. */
const completeCommand = async (deps: OutcomeDeps, outcome: StepOutcome): Promise<void> => {
  const { commandId, step, resource, result, reason } = outcome.data;
  const entry = await deps.ledger.recordOutcome(commandId, resource.id, step, {
    result,
    ...(reason ? { reason } : {}),
  });
  recordStepOutcome(outcome, entry?.receivedAt);
  if (!entry || entry.completed || !entry.awaits.includes(step)) return;
  const completion = commandCompletion(entry.awaits, entry.outcomes ?? {});
  if (!completion.complete) return;
  const response = completion.error
    ? { status: completion.error.httpStatus, error: completion.error.toBody() }
    : entry.response;
  const document =
    completion.error || resource.type !== 'User'
      ? entry.document
      : await withCurrentProvisioning(deps, outcome.tenant, entry.document as UserDocument | undefined);
  // The result answers the command (its id), continuing the trace the outcome carries.
  const command = { ...outcome, id: commandId };
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
export const handleStepOutcome = async (deps: OutcomeDeps, outcome: StepOutcome): Promise<void> => {
  await deps.audit.record(outcomeAudit(outcome), outcome.traceparent);
  if (outcome.data.resource.type === 'User') await foldIntoUser(deps, outcome);
  await completeCommand(deps, outcome);
};
