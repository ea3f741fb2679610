import type { GroupChanged } from '@roster/contracts';
import { type GroupProjection, groupChangeCandidates } from '../domain/desired.ts';
import { directoryCause, groupOutcome, userOutcomes } from '../messages/step-outcomes.ts';
import { type HandlerDeps, publishOutcomes } from './deps.ts';

/**
 * A pushed group changed: record its projection and what the change does (candidates and
 * affected users) in one atomic update guarded by the sequence, then converge the candidates and
 * report every affected user plus the group. A redelivery re-converges and re-publishes the same
 * outcomes from the stored record; a stale change only answers for the group.
 */
export const handleGroupChanged = async (deps: HandlerDeps, change: GroupChanged): Promise<void> => {
  const { tenant } = change;
  const { group, sequence, commandId } = change.data;
  const cause = directoryCause(change);
  const stored = await deps.store.group(tenant, group.id);
  if (stored && stored.sequence >= sequence) {
    const record = stored.lastChange;
    if (record.sequence !== sequence) {
      await publishOutcomes(deps, [groupOutcome(cause, group.id, sequence)]);
      return;
    }
    // the first delivery may have died before bumping: bump again so no stale convergence survives
    await deps.store.bump(tenant, record.candidates);
    const converged = await deps.store.converge(tenant, record.candidates);
    await publishOutcomes(deps, [
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
  const recorded = await deps.store.recordGroupChange(tenant, next, {
    sequence,
    commandId,
    candidates,
    affected,
  });
  // applied concurrently by another delivery: answer as a redelivery
  if (!recorded) return handleGroupChanged(deps, change);
  await deps.store.bump(tenant, candidates);
  const converged = await deps.store.converge(tenant, candidates);
  deps.log.debug({ tenant, groupId: group.id, sequence, affected: affected.length }, 'group converged');
  await publishOutcomes(deps, [
    ...userOutcomes(cause, affected, converged),
    groupOutcome(cause, group.id, sequence),
  ]);
};
