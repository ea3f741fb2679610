import { isDeepStrictEqual } from 'node:util';
import type { Command, GroupAttributes, GroupMembersChange, GroupProperties } from '@roster/contracts';
import {
  groupTooLarge,
  ifMatchHolds,
  patchGroup,
  preconditionFailed,
  resourceNotFound,
  ScimError,
  scimErrors,
} from '@roster/scim';
import type { Decider, Decision } from '@roster/service-kit';
import { evolveGroup } from './evolve.ts';
import type { GroupEvent, GroupState } from './state.ts';

export type GroupCommand = Extract<Command, { type: `roster.command.group.${string}` }>;

export interface GroupContext {
  now: string;
  target: GroupState | undefined;
  /** Ids among the members the command names that are SCIM-visible users of the tenant. */
  knownUserIds: ReadonlySet<string>;
  /**
   * Ids among the members the command names that are members already: of the target, or for a
   * create of the group holding its displayName (an identical repeat is told by its members).
   * The decider never sees the group's other members: its work is linear in the command.
   */
  heldIds: ReadonlySet<string>;
  /**
   * The group of the tenant named exactly the displayName the command ends with (displayName is
   * unique per organization, case-sensitively: a pushed group maps to the workspace of exactly its
   * name). The shell resolves it for the decided displayName and decides again if that differs
   * from the one it looked up (a PATCH can rename); the unique index backs this under races.
   */
  sameDisplayName: GroupState | undefined;
}

/** What an accepted group decision tells the shell beside its events: the group and the SCIM status. */
export interface GroupAccepted {
  groupId: string;
  status: 200 | 201 | 204;
}

/** Accepted decisions name the group they change (`state`: undefined for a new one). */
export type GroupDecision = Decision<GroupState | undefined, GroupEvent, ScimError, GroupAccepted>;

/** Member ids listed once each, in first-seen order (IdPs do repeat themselves). */
const distinctMemberIds = (group: GroupAttributes): string[] => [
  ...new Set(group.members.map((m) => m.value)),
];

const propertiesOf = ({ members: _members, ...properties }: GroupAttributes): GroupProperties => properties;

/** Unknown ids named in a refusal: enough to act on, never a detail the size of the group. */
const NAMED_UNKNOWN_IDS = 10;

/**
 * Members a change adds must be users of the tenant (members already there are not checked
 * again: a user deleted since stays until removed).
 */
const unknownMember = (added: readonly string[], ctx: GroupContext): ScimError | undefined => {
  const unknown = added.filter((id) => !ctx.knownUserIds.has(id));
  if (unknown.length === 0) return undefined;
  const named = unknown.slice(0, NAMED_UNKNOWN_IDS).join(', ');
  const more = unknown.length > NAMED_UNKNOWN_IDS ? ` and ${unknown.length - NAMED_UNKNOWN_IDS} more` : '';
  return scimErrors.invalidValue(`members reference unknown users: ${named}${more}`);
};

/** Whether `ids` are exactly the members of `group` (all held, and as many as it has). */
const holdsExactly = (group: GroupState, ids: readonly string[], ctx: GroupContext): boolean =>
  group.memberCount === ids.length && ids.every((id) => ctx.heldIds.has(id));

const displayNameTaken = (displayName: string): ScimError =>
  scimErrors.uniqueness(`displayName "${displayName}" is already taken`);

/** A change to `properties` and to the members as `members` tells, unless it changes nothing. */
const changed = (
  before: GroupState,
  properties: GroupProperties,
  members: GroupMembersChange,
  memberCount: number,
  ctx: GroupContext,
): GroupEvent[] => {
  const sameMembers =
    members.kind === 'delta'
      ? members.added.length === 0 && members.removed.length === 0
      : holdsExactly(before, members.memberIds, ctx);
  const same = sameMembers && isDeepStrictEqual(before.attributes, properties);
  return same ? [] : [{ type: 'GroupChanged', attributes: properties, members, memberCount, at: ctx.now }];
};

/** The group's new properties and members as a PUT or a PATCH leaves them, or why not. */
const nextGroup = (
  command: Extract<
    GroupCommand,
    { type: 'roster.command.group.replace.v1' | 'roster.command.group.patch.v1' }
  >,
  target: GroupState,
  ctx: GroupContext,
):
  | { properties: GroupProperties; members: GroupMembersChange; memberCount: number; added: string[] }
  | ScimError => {
  if (command.type === 'roster.command.group.replace.v1') {
    const memberIds = distinctMemberIds(command.data.group);
    return {
      properties: propertiesOf(command.data.group),
      members: { kind: 'replaced', memberIds },
      memberCount: memberIds.length,
      added: memberIds.filter((id) => !ctx.heldIds.has(id)),
    };
  }
  const patched = patchGroup(target.attributes, command.data.operations);
  if (!('properties' in patched)) return patched;
  const { properties, members: plan } = patched;
  if (plan.replaced)
    return {
      properties,
      members: { kind: 'replaced', memberIds: plan.added },
      memberCount: plan.added.length,
      added: plan.added.filter((id) => !ctx.heldIds.has(id)),
    };
  const added = plan.added.filter((id) => !ctx.heldIds.has(id));
  const removed = plan.removed.filter((id) => ctx.heldIds.has(id));
  return {
    properties,
    members: { kind: 'delta', added, removed },
    memberCount: target.memberCount + added.length - removed.length,
    added,
  };
};

/**
 * decide(command, state) → events for pushed groups, linear in what the command names (never in
 * the group's size). A create whose displayName is taken answers with that group when it is an
 * identical repeat (an IdP retrying after a timeout or a 503), and is a uniqueness conflict
 * otherwise; so is a change renaming a group onto another's displayName.
 */
export const decideGroup = (command: GroupCommand, ctx: GroupContext): GroupDecision => {
  if (command.type === 'roster.command.group.create.v1') {
    const group = command.data.group;
    const memberIds = distinctMemberIds(group);
    const holder = ctx.sameDisplayName;
    if (holder)
      return holder.attributes.externalId === group.externalId && holdsExactly(holder, memberIds, ctx)
        ? { accepted: true, state: holder, groupId: holder.id, events: [], status: 201 }
        : { accepted: false, error: displayNameTaken(group.displayName) };
    const error = groupTooLarge(memberIds.length) ?? unknownMember(memberIds, ctx);
    if (error) return { accepted: false, error };
    const created: GroupEvent = {
      type: 'GroupCreated',
      id: command.subject,
      tenant: command.tenant,
      attributes: propertiesOf(group),
      memberIds,
      at: ctx.now,
    };
    return { accepted: true, state: undefined, groupId: command.subject, events: [created], status: 201 };
  }
  const target = ctx.target;
  if (!target) return { accepted: false, error: resourceNotFound('Group', command.subject) };
  if (!ifMatchHolds(command.data.ifMatch, target.version))
    return { accepted: false, error: preconditionFailed(target.version) };

  if (command.type === 'roster.command.group.delete.v1') {
    return {
      accepted: true,
      state: target,
      groupId: target.id,
      events: [{ type: 'GroupDeleted', at: ctx.now }],
      status: 204,
    };
  }
  const next = nextGroup(command, target, ctx);
  if (next instanceof ScimError) return { accepted: false, error: next };
  const { displayName } = next.properties;
  const holder = ctx.sameDisplayName;
  const renamedOntoTaken =
    displayName !== target.attributes.displayName && holder && holder.id !== target.id
      ? displayNameTaken(displayName)
      : undefined;
  const error = renamedOntoTaken ?? groupTooLarge(next.memberCount) ?? unknownMember(next.added, ctx);
  if (error) return { accepted: false, error };
  return {
    accepted: true,
    state: target,
    groupId: target.id,
    events: changed(target, next.properties, next.members, next.memberCount, ctx),
    status: 200,
  };
};

/** The groups' decider: a group starts as nothing and a deletion returns it to nothing. */
export const groupDecider: Decider<
  GroupCommand,
  GroupContext,
  GroupState | undefined,
  GroupEvent,
  ScimError,
  GroupAccepted
> = { initialState: undefined, decide: decideGroup, evolve: evolveGroup };
