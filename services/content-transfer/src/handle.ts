import {
  type ContentTransferDocument,
  envelope,
  type MessageOf,
  type StepOutcome,
  type UserChanged,
} from '@roster/contracts';
import { childTraceparent, type Publisher } from '@roster/service-kit';
import { isFinal, mayRun, outcomeState } from './domain/transfer.ts';
import { decideUserChange, type UserChangeInput, userKey } from './domain/users.ts';
import { type Heartbeat, type RunnerDeps, runTransfer } from './runner.ts';

export const SOURCE = '/roster/content-transfer';

export interface HandlerDeps extends RunnerDeps {
  publisher: Publisher;
}

/** The directory change an outcome answers. */
interface Answered {
  tenant: string;
  userId: string;
  commandId: string;
  sequence: number;
  changeId: string;
  correlationid: string;
  traceparent?: string | undefined;
}

const outcome = (a: Answered, t: ContentTransferDocument | null): StepOutcome =>
  envelope(
    'roster.outcome.step.v1',
    {
      source: SOURCE,
      tenant: a.tenant,
      subject: a.userId,
      correlationid: a.correlationid,
      causationid: a.changeId,
      traceparent: childTraceparent(a.traceparent),
    },
    {
      commandId: a.commandId,
      step: 'content-transfer',
      resource: { type: 'User', id: a.userId, sequence: a.sequence },
      result: 'succeeded',
      state: outcomeState(t),
    },
  );

/** Outcomes about a transfer answer the deactivation that started it, whenever they are published. */
const answeredBy = (t: ContentTransferDocument): Answered => ({
  tenant: t.tenant,
  userId: t.userId,
  commandId: t.commandId,
  sequence: t.sequence,
  changeId: t.changeId,
  correlationid: t.correlationid,
  traceparent: t.traceparent,
});

/**
 * Handles one user directory change: update the projection (admin flags, admin-since), start the
 * transfer of a deactivation (or resume it on a redelivery), publish this change's outcome, then
 * complete the org's transfers that can run now (an admin appeared, a runner crashed).
 */
export const handleUserChanged = async (
  deps: HandlerDeps,
  message: UserChanged,
  heartbeat: Heartbeat,
): Promise<void> => {
  const { store, publisher } = deps;
  const { tenant } = message;
  const snapshot = message.data.user;
  const input: UserChangeInput = {
    tenant,
    sequence: message.data.sequence,
    time: message.time,
    user: snapshot,
    commandId: message.data.commandId,
    changeId: message.id,
    correlationid: message.correlationid,
    traceparent: message.traceparent,
  };
  const prev = await store.findUser(userKey(tenant, snapshot.id));
  const decision = decideUserChange(prev, input);
  let user = prev;
  if (decision.kind === 'apply') {
    // Transfer first, projection last: until the projection carries this sequence, a redelivery
    // decides the same again and finds the transfer already recorded.
    if (decision.transfer) await store.createTransfer(decision.transfer);
    if (decision.cancelIfWaiting) {
      const waiting = await store.findTransfer(decision.cancelIfWaiting);
      if (waiting && (waiting.state === 'pending_admin' || waiting.state === 'pending'))
        await store.transition(waiting, { type: 'Cancelled', at: new Date().toISOString() });
    }
    await store.saveUser(decision.user, prev?.sequence ?? null);
    user = decision.user;
  }

  const publish = (a: Answered, t: ContentTransferDocument | null) =>
    publisher.publish('stepOutcomes', [outcome(a, t)]);
  const own: Answered = { ...input, userId: snapshot.id };

  let latest = user?.latestTransferId ? await store.findTransfer(user.latestTransferId) : null;
  if (latest && latest.sequence === input.sequence && !isFinal(latest)) {
    // This change is the deactivation (first delivery or a redelivery after a crash).
    latest = (await runTransfer(deps, latest._id, message.id, heartbeat, (t) => publish(own, t))).transfer;
    // Someone else may be running it (an admin promoted at the same time): report the freshest state.
    if (!isFinal(latest)) latest = (await store.findTransfer(latest._id)) ?? latest;
  }
  await publish(own, latest);

  // An active admin exists: the org's waiting transfers (and any whose runner crashed) complete now.
  if ((await store.activeAdmins(tenant)).length === 0) return;
  const now = new Date().toISOString();
  for (const t of await store.unfinishedTransfers(tenant)) {
    if (t.state === 'in_progress' && !mayRun(t, message.id, now)) continue;
    const result = await runTransfer(deps, t._id, message.id, heartbeat, (p) => publish(answeredBy(p), p));
    if (result.changed) await publish(answeredBy(result.transfer), result.transfer);
  }
};

/** Group changes are not this service's business (no outcome: only user changes are answered). */
export const handleDirectoryChange = async (
  deps: HandlerDeps,
  message: MessageOf<'directoryChanges'>,
  heartbeat: Heartbeat,
): Promise<void> => {
  if (message.type !== 'roster.directory.user.changed.v1') return;
  await handleUserChanged(deps, message, heartbeat);
};
