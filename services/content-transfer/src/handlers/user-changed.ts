import type { ContentTransferDocument, StepOutcome, UserChanged } from '@roster/contracts';
import { type Cause, type Publisher, stepOutcome } from '@roster/service-kit';
import { isFinal, mayRun, outcomeState } from '../domain/transfer.ts';
import type { UserChangeInput } from '../domain/user-change.ts';
import { decideUserChange, userKey } from '../domain/users.ts';
import { type Heartbeat, type RunnerDeps, runTransfer } from './transfer-runner.ts';

const SOURCE = '/roster/content-transfer';

export interface HandlerDeps extends RunnerDeps {
  publisher: Publisher;
}

/** The directory change an outcome answers (the cause) and the user, command and sequence it reports on. */
interface Answered extends Cause {
  userId: string;
  commandId: string;
  sequence: number;
}

/** One outcome per transfer state reported: `in_progress`, then `done`, answering one deactivation. */
const outcome = (a: Answered, t: ContentTransferDocument | null): StepOutcome => {
  const state = outcomeState(t);
  return stepOutcome(
    SOURCE,
    a,
    {
      commandId: a.commandId,
      step: 'content-transfer',
      resource: { type: 'User', id: a.userId, sequence: a.sequence },
      result: 'succeeded',
      state,
    },
    { stage: state.state },
  );
};

/** Outcomes about a transfer answer the deactivation that started it, whenever they are published. */
const answeredBy = (t: ContentTransferDocument): Answered => ({
  id: t.changeId,
  tenant: t.tenant,
  correlationid: t.correlationid,
  traceparent: t.traceparent,
  userId: t.userId,
  commandId: t.commandId,
  sequence: t.sequence,
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
        await store.transition(waiting, { type: 'Cancelled', at: deps.clock.now() });
    }
    await store.saveUser(decision.user, prev?.sequence ?? null);
    user = decision.user;
  }

  const publish = (a: Answered, t: ContentTransferDocument | null) =>
    publisher.publish('stepOutcomes', [outcome(a, t)]);
  const own: Answered = {
    id: message.id,
    tenant,
    correlationid: message.correlationid,
    traceparent: message.traceparent,
    userId: snapshot.id,
    commandId: input.commandId,
    sequence: input.sequence,
  };

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
  const now = deps.clock.now();
  for (const t of await store.unfinishedTransfers(tenant)) {
    if (t.state === 'in_progress' && !mayRun(t, message.id, now)) continue;
    const result = await runTransfer(deps, t._id, message.id, heartbeat, (p) => publish(answeredBy(p), p));
    if (result.changed) await publish(answeredBy(result.transfer), result.transfer);
  }
};
