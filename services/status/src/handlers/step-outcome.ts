import { createHash } from 'node:crypto';
import type {
  AuditEntry,
  LifecycleEvent,
  ProvisioningView,
  StepOutcome,
  UserDocument,
} from '@roster/contracts';
import type { Clock, Publishable, Publisher } from '@roster/service-kit';
import { commandCompletion } from '../domain/provisioning/completion.ts';
import { foldOutcome } from '../domain/provisioning/fold.ts';
import { resultMessage } from '../messages/command.ts';
import { lifecycleEvents } from '../messages/outcome.ts';
import { recordStepOutcome } from '../step-metrics.ts';
import type { AuditTrail } from '../store/audit-trail.ts';
import type { CommandLedger } from '../store/ledger.ts';
import type { LifecycleOutbox, PendingLifecycle } from '../store/lifecycle-outbox.ts';
import type { UsersDirectory } from '../store/users.ts';

export interface OutcomeDeps {
  users: UsersDirectory;
  ledger: CommandLedger;
  audit: AuditTrail;
  publisher: Publisher;
  outbox: LifecycleOutbox;
  clock: Clock;
}

/** What folding a batch left: each user's view as it now stands, and the events to announce. */
interface Folded {
  views: Map<string, ProvisioningView>;
  /** Entries whose events are not yet published, in the order of their outcomes. */
  unpublished: PendingLifecycle[];
}

/** Whether stored events announce what `events` do (ids and times aside). */
const announceTheSame = (stored: readonly LifecycleEvent[], events: readonly LifecycleEvent[]): boolean =>
  JSON.stringify(stored.map((e) => [e.type, e.data])) === JSON.stringify(events.map((e) => [e.type, e.data]));

/** The outbox id of events a redelivered outcome revises: derived from what they announce. */
const revisionId = (outcomeId: string, events: readonly LifecycleEvent[]): string =>
  `${outcomeId}~${createHash('sha256')
    .update(JSON.stringify(events.map((e) => [e.type, e.data])))
    .digest('hex')
    .slice(0, 16)}`;

/**
 * Folds the user outcomes of a batch, in order, into their users' provisioning views and
 * publishes the lifecycle events of the real changes they made. The events are fixed (stored under
 * each outcome's id) before the views are written, so a crash anywhere never loses one nor decides
 * a different one: a redelivery republishes the stored events under their ids, and refolding the
 * same outcomes changes nothing.
 *
 * A step may report again under the same outcome id with another state: a consumer that crashed
 * before committing its offsets handles the change again together with newer ones and reports the
 * state it converged to. Such a revision changes the view, and its changes are announced too,
 * stored under an id derived from what they announce (a refold after a crash finds them).
 */
const foldIntoUsers = async (deps: OutcomeDeps, outcomes: StepOutcome[]): Promise<Folded> => {
  const about = outcomes.filter((o) => o.data.resource.type === 'User');
  const [users, stored] = await Promise.all([
    deps.users.documents(about.map((o) => ({ tenant: o.tenant, id: o.data.resource.id }))),
    deps.outbox.find(about.map((o) => o.id)),
  ]);
  const views = new Map<string, ProvisioningView>();
  // In the order of the outcomes: the entry to publish, or a revision still to be looked up.
  const announced: (PendingLifecycle | { revision: PendingLifecycle })[] = [];
  for (const outcome of about) {
    const user = users.get(outcome.data.resource.id);
    if (!user) continue;
    const { view, changes } = foldOutcome(
      views.get(user._id) ?? user.provisioning,
      outcome.data,
      deps.clock.now(),
    );
    views.set(user._id, view);
    const first = stored.get(outcome.id);
    // Nothing to announce is the common case: a step confirming what the view already shows.
    if (changes.length === 0) {
      if (first) announced.push(first);
      continue;
    }
    const events = lifecycleEvents(outcome, user, changes);
    if (!first) announced.push({ _id: outcome.id, events, published: false });
    else if (announceTheSame(first.events, events)) announced.push(first);
    else announced.push({ revision: { _id: revisionId(outcome.id, events), events, published: false } });
  }
  const revisions = announced.flatMap((a) => ('revision' in a ? [a.revision._id] : []));
  const storedRevisions = await deps.outbox.find(revisions);
  const entries = announced.map((a) =>
    'revision' in a ? (storedRevisions.get(a.revision._id) ?? a.revision) : a,
  );
  await deps.outbox.add(entries.filter((entry) => !stored.has(entry._id) && !storedRevisions.has(entry._id)));
  await deps.users.setProvisioning(
    [...views].map(([id, provisioning]) => ({ tenant: users.get(id)!.tenant, id, provisioning })),
  );
  return { views, unpublished: entries.filter((entry) => !entry.published) };
};

const publishLifecycle = async (deps: OutcomeDeps, { unpublished }: Folded): Promise<void> => {
  if (unpublished.length === 0) return;
  await deps.publisher.publish(
    'lifecycle',
    unpublished.flatMap((pending) => pending.events),
  );
  await deps.outbox.markPublished(unpublished.map((pending) => pending._id));
};

/**
 * The user as the command left it (its version witnesses which change the answer acknowledges,
 * even when a later command changed the user meanwhile), with the steps' view as it now stands.
 */
const withCurrentProvisioning = (
  decided: UserDocument | undefined,
  views: Folded['views'],
): UserDocument | undefined => {
  const provisioning = decided && views.get(decided._id);
  return provisioning ? { ...decided, provisioning } : decided;
};

/** Answers the waiting SCIM calls once every step each waits for has reported. */
const completeCommands = async (
  deps: OutcomeDeps,
  outcomes: StepOutcome[],
  { views }: Folded,
): Promise<void> => {
  const entries = await deps.ledger.recordOutcomes(
    outcomes.map(({ tenant, data: { commandId, step, resource, result, reason } }) => ({
      tenant,
      commandId,
      resourceId: resource.id,
      step,
      report: { result, ...(reason ? { reason } : {}) },
    })),
  );
  const results: Publishable[] = [];
  const answered = new Set<string>();
  for (const outcome of outcomes) {
    const { commandId, step, resource } = outcome.data;
    const entry = entries.get(commandId);
    const own =
      entry && entry.tenant === outcome.tenant && entry.resourceId === resource.id ? entry : undefined;
    recordStepOutcome(outcome, own?.receivedAt);
    if (!own || own.completed || answered.has(commandId) || !own.awaits.includes(step)) continue;
    const completion = commandCompletion(own.awaits, own.outcomes ?? {});
    if (!completion.complete) continue;
    const response = completion.error
      ? { status: completion.error.httpStatus, error: completion.error.toBody() }
      : own.response;
    const document =
      completion.error || resource.type !== 'User'
        ? own.document
        : withCurrentProvisioning(own.document as UserDocument | undefined, views);
    // The result answers the command (its id), continuing the trace the outcome carries.
    const command = { ...outcome, id: commandId };
    results.push(
      resultMessage(command, {
        response,
        resourceType: own.resourceType,
        resourceId: own.resourceId,
        document,
      }).message,
    );
    answered.add(commandId);
  }
  if (results.length === 0) return;
  await deps.publisher.publish('commandResults', results);
  await deps.ledger.markCompleted([...answered]);
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

/**
 * Handles step outcomes (one, or a fetched batch, each partition's in order): audit, fold, announce,
 * answer — each with one write for the whole batch, each idempotent.
 */
export const handleStepOutcomes = async (deps: OutcomeDeps, outcomes: StepOutcome[]): Promise<void> => {
  await deps.audit.recordAll(outcomes.map((o) => ({ entry: outcomeAudit(o), traceparent: o.traceparent })));
  const folded = await foldIntoUsers(deps, outcomes);
  await publishLifecycle(deps, folded);
  await completeCommands(deps, outcomes, folded);
};
