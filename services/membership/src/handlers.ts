import {
  type GroupChanged,
  type MessageOf,
  type OrganizationSettingsChanged,
  type StepOutcome,
  TOPICS,
  type UserChanged,
  type WorkspaceChanged,
} from '@roster/contracts';
import type { Logger, Publisher } from '@roster/service-kit';
import { type GroupProjection, groupChangeCandidates } from './domain/desired.ts';
import { type Cause, groupOutcome, userOutcome } from './outcomes.ts';
import { type ConvergedUser, isDuplicateKey, type MembershipStore, projectionId } from './store/store.ts';

export interface HandlerDeps {
  store: MembershipStore;
  publisher: Publisher;
  log: Logger;
}

const PUBLISH_BATCH = 500;

const publish = async (deps: HandlerDeps, outcomes: StepOutcome[]): Promise<void> => {
  for (let i = 0; i < outcomes.length; i += PUBLISH_BATCH)
    await deps.publisher.publish('stepOutcomes', outcomes.slice(i, i + PUBLISH_BATCH));
};

const causeOf = (change: UserChanged | GroupChanged): Cause => ({
  tenant: change.tenant,
  commandId: change.data.commandId,
  correlationid: change.correlationid,
  causationid: change.id,
  traceparent: change.traceparent,
});

/** Org changes come from no command: the change's own id is the command id and correlation id. */
const orgCauseOf = (change: WorkspaceChanged | OrganizationSettingsChanged): Cause => ({
  tenant: change.tenant,
  commandId: change.id,
  correlationid: change.id,
  causationid: change.id,
  traceparent: change.traceparent,
});

/** One outcome per affected user, from the converged (stored) state. */
const userOutcomes = (
  cause: Cause,
  affected: readonly string[],
  converged: Map<string, ConvergedUser>,
): StepOutcome[] =>
  affected.flatMap((userId) => {
    const entry = converged.get(userId);
    const sequence = entry?.user?.sequence ?? 0;
    return entry && sequence > 0 ? [userOutcome(cause, userId, sequence, entry.memberships)] : [];
  });

/**
 * A user changed: record the snapshot (guarded by its sequence, with the rev bump, in one atomic
 * update), converge the user, report its workspaces. A redelivered or stale change updates
 * nothing, converges (a no-op when converged) and re-publishes the outcome from stored state.
 */
export const handleUserChanged = async (deps: HandlerDeps, change: UserChanged): Promise<void> => {
  const { tenant } = change;
  const { user, sequence } = change.data;
  try {
    await deps.store.users.updateOne(
      { _id: projectionId(tenant, user.id), sequence: { $lt: sequence } },
      {
        $set: {
          tenant,
          userId: user.id,
          known: true,
          active: user.active,
          email: user.email,
          sequence,
          updatedAt: deps.store.now(),
        },
        $inc: { rev: 1 },
      },
      { upsert: true },
    );
  } catch (err) {
    // the projection already holds this sequence or a newer one: a redelivery or a stale change
    if (!isDuplicateKey(err)) throw err;
  }
  const converged = await deps.store.converge(tenant, [user.id]);
  await publish(deps, [
    userOutcome(causeOf(change), user.id, sequence, converged.get(user.id)?.memberships ?? []),
  ]);
};

/**
 * A pushed group changed: record its projection and what the change does (candidates and
 * affected users) in one atomic update guarded by the sequence, then converge the candidates and
 * report every affected user plus the group. A redelivery re-converges and re-publishes the same
 * outcomes from the stored record; a stale change only answers for the group.
 */
export const handleGroupChanged = async (deps: HandlerDeps, change: GroupChanged): Promise<void> => {
  const { tenant } = change;
  const { group, sequence, commandId } = change.data;
  const cause = causeOf(change);
  const _id = projectionId(tenant, group.id);
  const stored = await deps.store.groups.findOne({ _id });
  if (stored && stored.sequence >= sequence) {
    const record = stored.lastChange;
    if (record.sequence !== sequence) {
      await publish(deps, [groupOutcome(cause, group.id, sequence)]);
      return;
    }
    // the first delivery may have died before bumping: bump again so no stale convergence survives
    await deps.store.bump(tenant, record.candidates);
    const converged = await deps.store.converge(tenant, record.candidates);
    await publish(deps, [
      ...userOutcomes(cause, record.affected, converged),
      groupOutcome(cause, group.id, sequence),
    ]);
    return;
  }
  const next: GroupProjection = {
    groupId: group.id,
    displayName: group.displayName,
    memberIds: [...new Set(group.memberIds)],
    deleted: change.data.change === 'deleted',
  };
  const candidates = groupChangeCandidates(stored, next);
  const affected = await deps.store.affected(tenant, candidates, next);
  try {
    const written = await deps.store.groups.updateOne(
      { _id, sequence: { $lt: sequence } },
      {
        $set: {
          tenant,
          ...next,
          sequence,
          lastChange: { sequence, commandId, candidates, affected },
          updatedAt: deps.store.now(),
        },
      },
      { upsert: true },
    );
    if (written.modifiedCount + written.upsertedCount === 0) return handleGroupChanged(deps, change);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return handleGroupChanged(deps, change); // applied concurrently: answer as a redelivery
  }
  await deps.store.bump(tenant, candidates);
  const converged = await deps.store.converge(tenant, candidates);
  deps.log.debug({ tenant, groupId: group.id, sequence, affected: affected.length }, 'group converged');
  await publish(deps, [...userOutcomes(cause, affected, converged), groupOutcome(cause, group.id, sequence)]);
};

/**
 * An org change (workspace created/renamed, settings changed) re-evaluates the users it may move.
 * The admin API wrote the change before publishing it, so the stored state is already current;
 * the event id dedupes: the first delivery records candidates and affected users, a redelivery
 * re-converges them and re-publishes the same outcomes.
 */
const handleOrgChange = async (
  deps: HandlerDeps,
  change: WorkspaceChanged | OrganizationSettingsChanged,
  candidatesOf: () => Promise<string[]>,
): Promise<void> => {
  const { tenant } = change;
  const cause = orgCauseOf(change);
  const _id = projectionId(tenant, change.id);
  const existing = await deps.store.orgEvents.findOne({ _id });
  if (existing) {
    await deps.store.bump(tenant, existing.candidates);
    const converged = await deps.store.converge(tenant, existing.candidates);
    await publish(deps, userOutcomes(cause, existing.affected, converged));
    return;
  }
  const candidates = [...new Set(await candidatesOf())];
  const affected = await deps.store.affected(tenant, candidates);
  try {
    await deps.store.orgEvents.insertOne({
      _id,
      tenant,
      type: change.type,
      candidates,
      affected,
      at: deps.store.now(),
      // kept as long as the topic keeps the event: no redelivery can come later
      expiresAt: new Date(Date.now() + TOPICS.orgChanges.retentionMs),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return handleOrgChange(deps, change, candidatesOf);
  }
  await deps.store.bump(tenant, candidates);
  const converged = await deps.store.converge(tenant, candidates);
  deps.log.debug({ tenant, type: change.type, affected: affected.length }, 'org change converged');
  await publish(deps, userOutcomes(cause, affected, converged));
};

/**
 * A workspace created or renamed may link groups named like it (new name), unlink groups named
 * like its old name (its current members), rename memberships, and, for the default workspace,
 * move every user's default membership.
 */
export const handleWorkspaceChanged = (deps: HandlerDeps, change: WorkspaceChanged): Promise<void> =>
  handleOrgChange(deps, change, async () => {
    const { tenant } = change;
    const { workspace, previousName } = change.data;
    const names = previousName === undefined ? [workspace.name] : [workspace.name, previousName];
    const [current, grouped, everyone] = await Promise.all([
      deps.store.membersOfWorkspace(tenant, workspace.id),
      deps.store.membersOfGroupsNamed(tenant, names),
      workspace.isDefault ? deps.store.knownUsers(tenant) : Promise.resolve([]),
    ]);
    return [...current, ...grouped, ...everyone];
  });

/** Auto-capture or the listed domains changed: every user's default membership is re-evaluated. */
export const handleSettingsChanged = (
  deps: HandlerDeps,
  change: OrganizationSettingsChanged,
): Promise<void> => handleOrgChange(deps, change, () => deps.store.knownUsers(change.tenant));

export const handleDirectoryChange = (
  deps: HandlerDeps,
  change: MessageOf<'directoryChanges'>,
): Promise<void> =>
  change.type === 'roster.directory.user.changed.v1'
    ? handleUserChanged(deps, change)
    : handleGroupChanged(deps, change);

export const handleOrgChangeMessage = (deps: HandlerDeps, change: MessageOf<'orgChanges'>): Promise<void> =>
  change.type === 'roster.org.workspace.changed.v1'
    ? handleWorkspaceChanged(deps, change)
    : handleSettingsChanged(deps, change);
