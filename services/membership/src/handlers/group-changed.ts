import type { GroupChanged } from '@roster/contracts';
import {
  groupChangeCandidates,
  membersAfter,
  memberWrites,
  movesUnnamedMembers,
} from '../domain/group-change.ts';
import { directoryCause, groupOutcome, userOutcomes } from '../messages/step-outcomes.ts';
import type { GroupChangeRecord } from '../store/membership.ts';
import { type HandlerDeps, publishOutcomes } from './deps.ts';

/**
 * Writes the members of a recorded change, then converges its candidates and reports its affected
 * users plus the group. Every step is idempotent, so a redelivery runs it all again: the first
 * delivery may have died before writing the members or bumping.
 */
const applyRecorded = async (deps: HandlerDeps, change: GroupChanged, record: GroupChangeRecord) => {
  const { tenant } = change;
  const { group, sequence, members } = change.data;
  await deps.store.writeGroupMembers(tenant, group.id, sequence, memberWrites(members, record.candidates));
  await deps.store.bump(tenant, record.candidates);
  const converged = await deps.store.converge(tenant, record.candidates);
  const cause = directoryCause(change);
  await publishOutcomes(deps, [
    ...userOutcomes(cause, record.affected, converged),
    groupOutcome(cause, group.id, sequence),
  ]);
};

/**
 * A pushed group changed: record its projection and what the change does (candidates and affected
 * users) in one atomic update guarded by the sequence, then write its members, converge the
 * candidates and report. The candidates are the users the change names, plus every current member
 * when it moves them all (replacement, deletion, rename). A redelivery applies the stored record
 * again; a stale change only answers for the group.
 */
export const handleGroupChanged = async (deps: HandlerDeps, change: GroupChanged): Promise<void> => {
  const { tenant } = change;
  const { group, sequence, commandId, members } = change.data;
  const stored = await deps.store.group(tenant, group.id);
  if (stored && stored.sequence >= sequence) {
    if (stored.lastChange.sequence === sequence) return applyRecorded(deps, change, stored.lastChange);
    await publishOutcomes(deps, [groupOutcome(directoryCause(change), group.id, sequence)]);
    return;
  }
  const next = {
    groupId: group.id,
    displayName: group.displayName,
    deleted: change.data.change === 'deleted',
  };
  const current = movesUnnamedMembers(stored, next, members)
    ? await deps.store.groupMembers(tenant, group.id)
    : [];
  const candidates = groupChangeCandidates(members, current);
  const memberIds = membersAfter(current, memberWrites(members, candidates));
  const affected = await deps.store.affected(tenant, candidates, { ...next, memberIds });
  const record = { sequence, commandId, candidates, affected };
  // applied concurrently by another delivery: answer as a redelivery
  if (!(await deps.store.recordGroupChange(tenant, next, record))) return handleGroupChanged(deps, change);
  await applyRecorded(deps, change, record);
  deps.log.debug({ tenant, groupId: group.id, sequence, affected: affected.length }, 'group converged');
};
