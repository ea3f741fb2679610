import type { GroupChanged, GroupChangedV1, GroupMembersChange } from '@roster/contracts';
import type { GroupProjection } from './desired.ts';

/**
 * What a group change does to the group's members, pure: the users it may move (its candidates),
 * the member documents it writes, and the members it leaves among them. Linear in the ids the
 * change names, except for the changes that move members they do not name.
 */

/** A v1 change (the whole member list in every change) as what it means now: a replacement. */
export const groupChangedFromV1 = (change: GroupChangedV1): GroupChanged => {
  const { group, ...data } = change.data;
  return {
    ...change,
    type: 'roster.directory.group.changed.v2',
    data: {
      ...data,
      group: { id: group.id, displayName: group.displayName, memberCount: new Set(group.memberIds).size },
      members: { kind: 'replaced', memberIds: group.memberIds },
    },
  };
};

/**
 * Whether a change may move members it does not name, so that every current member is a
 * candidate: a replacement (the members it does not list leave), a deletion (everyone leaves) and
 * a rename (every member's linked workspace changes).
 */
export const movesUnnamedMembers = (
  before: Pick<GroupProjection, 'displayName'> | null,
  after: Pick<GroupProjection, 'displayName' | 'deleted'>,
  members: GroupMembersChange,
): boolean =>
  members.kind === 'replaced' ||
  after.deleted ||
  (before !== null && before.displayName !== after.displayName);

const namedBy = (members: GroupMembersChange): string[] =>
  members.kind === 'delta' ? [...members.added, ...members.removed] : members.memberIds;

/**
 * Users a group change may move: `currentMembers` (read only when it `movesUnnamedMembers`, else
 * none) and the users it names. Order kept, no duplicates.
 */
export const groupChangeCandidates = (
  members: GroupMembersChange,
  currentMembers: readonly string[],
): string[] => [...new Set([...currentMembers, ...namedBy(members)])];

/** The member documents a group change writes: users it makes members, users it makes leave. */
export interface MemberWrites {
  present: string[];
  absent: string[];
}

/**
 * From the change and its recorded candidates, so that every delivery of a change writes the same:
 * a delta writes the users it names; a replacement writes every member it lists and removes every
 * other candidate (the members before it).
 */
export const memberWrites = (members: GroupMembersChange, candidates: readonly string[]): MemberWrites => {
  if (members.kind === 'delta')
    return { present: [...new Set(members.added)], absent: [...new Set(members.removed)] };
  const listed = new Set(members.memberIds);
  return { present: [...listed], absent: candidates.filter((id) => !listed.has(id)) };
};

/** The candidates that are members once `writes` apply: those it adds, and current ones it keeps. */
export const membersAfter = (currentMembers: readonly string[], writes: MemberWrites): string[] => {
  const leaving = new Set(writes.absent);
  return [...new Set([...writes.present, ...currentMembers.filter((id) => !leaving.has(id))])];
};
