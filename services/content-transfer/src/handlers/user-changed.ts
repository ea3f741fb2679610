import type {
  ContentTransferDocument,
  ContentUserDocument,
  StepOutcome,
  UserChanged,
} from '@roster/contracts';
import { type Cause, type Publisher, stepOutcome } from '@roster/service-kit';
import { isFinal, mayRun, outcomeState } from '../domain/transfer.ts';
import type { UserChangeInput } from '../domain/user-change.ts';
import { decideUserChange, type UserDecision, userKey } from '../domain/users.ts';
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

const inputOf = (message: UserChanged): UserChangeInput => ({
  tenant: message.tenant,
  sequence: message.data.sequence,
  time: message.time,
  user: message.data.user,
  commandId: message.data.commandId,
  changeId: message.id,
  correlationid: message.correlationid,
  traceparent: message.traceparent,
});

/** The change a message's own outcome answers. */
const ownAnswer = (message: UserChanged): Answered => ({
  id: message.id,
  tenant: message.tenant,
  correlationid: message.correlationid,
  traceparent: message.traceparent,
  userId: message.data.user.id,
  commandId: message.data.commandId,
  sequence: message.data.sequence,
});

/**
 * A change whose whole effect is its projection and an outcome that reports no transfer: it
 * starts, cancels and follows none (the user never had one). Most changes are: provisioning,
 * updates, admin changes.
 */
const isPlain = (prev: ContentUserDocument | null, decision: UserDecision): boolean =>
  decision.kind === 'apply'
    ? !decision.transfer && !decision.cancelIfWaiting && decision.user.latestTransferId === null
    : !prev?.latestTransferId;

/**
 * Applies one user directory change: update the projection (admin flags, admin-since), start the
 * transfer of a deactivation (or resume it on a redelivery) and publish this change's outcome.
 */
const applyChange = async (deps: HandlerDeps, message: UserChanged, heartbeat: Heartbeat): Promise<void> => {
  const { store, publisher } = deps;
  const input = inputOf(message);
  const prev = await store.findUser(userKey(input.tenant, input.user.id));
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
    await store.saveUsers([decision.user]);
    user = decision.user;
  }

  const publish = (a: Answered, t: ContentTransferDocument | null) =>
    publisher.publish('stepOutcomes', [outcome(a, t)]);
  const own = ownAnswer(message);
  let latest = user?.latestTransferId ? await store.findTransfer(user.latestTransferId) : null;
  if (latest && latest.sequence === input.sequence && !isFinal(latest)) {
    // This change is the deactivation (first delivery or a redelivery after a crash).
    latest = (await runTransfer(deps, latest._id, message.id, heartbeat, (t) => publish(own, t))).transfer;
    // Someone else may be running it (an admin promoted at the same time): report the freshest state.
    if (!isFinal(latest)) latest = (await store.findTransfer(latest._id)) ?? latest;
  }
  await publish(own, latest);
};

/** Once an active admin exists, the org's waiting transfers (and any whose runner crashed) complete; `cause` runs them. */
const completeWaitingTransfers = async (
  deps: HandlerDeps,
  cause: UserChanged,
  heartbeat: Heartbeat,
): Promise<void> => {
  const { store, publisher } = deps;
  if ((await store.activeAdmins(cause.tenant)).length === 0) return;
  const publish = (t: ContentTransferDocument) =>
    publisher.publish('stepOutcomes', [outcome(answeredBy(t), t)]);
  const now = deps.clock.now();
  for (const t of await store.unfinishedTransfers(cause.tenant)) {
    if (t.state === 'in_progress' && !mayRun(t, cause.id, now)) continue;
    const result = await runTransfer(deps, t._id, cause.id, heartbeat, publish);
    if (result.changed) await publish(result.transfer);
  }
};

/** Users whose changes concern a transfer, handled at once: transfers wait on the store, not on this process. */
const TRANSFERRING_USERS_AT_ONCE = 4;

/** Runs `work` on every item, at most `limit` at a time. */
const eachAtMost = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * Handles the user changes of a fetch (or a lone one) with the effects of handling each in turn
 * (`applyChange`, then `completeWaitingTransfers`: an admin appeared, a runner crashed), each
 * user's changes in their order. The users whose changes are all plain are
 * decided against the projections read at once, written with one write and answered with one
 * publish; the changes of the others (a deactivation, a reactivation, a user who has a transfer)
 * are applied one by one, a few users at a time. The org's waiting transfers are looked at once
 * per organization, after all of that.
 */
export const handleUserChanges = async (
  deps: HandlerDeps,
  messages: UserChanged[],
  heartbeat: Heartbeat,
): Promise<void> => {
  const { store, publisher } = deps;
  const byUser = new Map<string, UserChanged[]>();
  for (const message of messages) {
    const key = userKey(message.tenant, message.data.user.id);
    const changes = byUser.get(key);
    if (changes) changes.push(message);
    else byUser.set(key, [message]);
  }
  const projections = await store.findUsers([...byUser.keys()]);
  /** Plain changes, each with the projection it writes (none for a redelivery). */
  const plain: { message: UserChanged; user: ContentUserDocument | null }[] = [];
  const transferring: UserChanged[][] = [];
  for (const [key, changes] of byUser) {
    let prev = projections.get(key) ?? null;
    const decided: typeof plain = [];
    for (const message of changes) {
      const decision = decideUserChange(prev, inputOf(message));
      if (!isPlain(prev, decision)) break;
      const user = decision.kind === 'apply' ? decision.user : null;
      decided.push({ message, user });
      prev = user ?? prev;
    }
    if (decided.length === changes.length) plain.push(...decided);
    else transferring.push(changes);
  }
  if (plain.length > 0) {
    const newest = new Map(plain.flatMap(({ user }) => (user ? [[user._id, user] as const] : [])));
    await store.saveUsers([...newest.values()]);
    await publisher.publish(
      'stepOutcomes',
      plain.map(({ message }) => outcome(ownAnswer(message), null)),
    );
  }
  await eachAtMost(transferring, TRANSFERRING_USERS_AT_ONCE, async (changes) => {
    for (const message of changes) await applyChange(deps, message, heartbeat);
  });
  const lastOfOrg = new Map(messages.map((message) => [message.tenant, message]));
  for (const cause of lastOfOrg.values()) await completeWaitingTransfers(deps, cause, heartbeat);
};
