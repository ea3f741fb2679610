import { isDeepStrictEqual } from 'node:util';
import type { Command, GroupAttributes } from '@roster/contracts';
import {
  groupTooLarge,
  ifMatchHolds,
  patchGroupAttributes,
  preconditionFailed,
  resourceNotFound,
  type ScimError,
  scimErrors,
} from '@roster/scim';
import type { Decider, Decision } from '@roster/service-kit';
import { evolveGroup } from './evolve.ts';
import type { GroupEvent, GroupState } from './state.ts';

export type GroupCommand = Extract<Command, { type: `roster.command.group.${string}` }>;

export interface GroupContext {
  now: string;
  target: GroupState | undefined;
  /** Ids among the requested members that are SCIM-visible users of the tenant. */
  knownUserIds: ReadonlySet<string>;
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

const memberIds = (group: GroupAttributes | undefined): string[] => group?.members.map((m) => m.value) ?? [];

/** Members listed once each, in first-seen order (IdPs do repeat themselves). */
const deduplicated = (group: GroupAttributes): GroupAttributes => {
  const seen = new Set<string>();
  return { ...group, members: group.members.filter((m) => !seen.has(m.value) && seen.add(m.value)) };
};

/** Unknown ids named in a refusal: enough to act on, never a detail the size of the group. */
const NAMED_UNKNOWN_IDS = 10;

/**
 * The members of `group` that `before` did not have must be users of the tenant (members already
 * there are not checked again: a user deleted since stays until removed). Linear in the members.
 */
const unknownMember = (
  group: GroupAttributes,
  before: GroupAttributes | undefined,
  ctx: GroupContext,
): ScimError | undefined => {
  const held = new Set(memberIds(before));
  const unknown = memberIds(group).filter((id) => !held.has(id) && !ctx.knownUserIds.has(id));
  if (unknown.length === 0) return undefined;
  const named = unknown.slice(0, NAMED_UNKNOWN_IDS).join(', ');
  const more = unknown.length > NAMED_UNKNOWN_IDS ? ` and ${unknown.length - NAMED_UNKNOWN_IDS} more` : '';
  return scimErrors.invalidValue(`members reference unknown users: ${named}${more}`);
};

const sameMembers = (a: GroupAttributes, b: GroupAttributes): boolean => {
  const held = new Set(memberIds(a));
  const asked = new Set(memberIds(b));
  return held.size === asked.size && [...asked].every((id) => held.has(id));
};

/** An identical repeat of a create: the same displayName, externalId (or none) and member set. */
const repeats = (group: GroupAttributes, existing: GroupState): boolean =>
  existing.attributes.externalId === group.externalId && sameMembers(existing.attributes, group);

const displayNameTaken = (displayName: string): ScimError =>
  scimErrors.uniqueness(`displayName "${displayName}" is already taken`);

const change = (before: GroupState, after: GroupAttributes, at: string): GroupEvent[] => {
  const old = new Set(memberIds(before.attributes));
  const next = new Set(memberIds(after));
  const membersAdded = [...next].filter((id) => !old.has(id));
  const membersRemoved = [...old].filter((id) => !next.has(id));
  const same =
    membersAdded.length === 0 &&
    membersRemoved.length === 0 &&
    isDeepStrictEqual({ ...before.attributes, members: [] }, { ...after, members: [] });
  return same ? [] : [{ type: 'GroupChanged', attributes: after, membersAdded, membersRemoved, at }];
};

/**
 * decide(command, state) → events for pushed groups. A create whose displayName is taken answers
 * with that group when it is an identical repeat (an IdP retrying after a timeout or a 503), and
 * is a uniqueness conflict otherwise; so is a change renaming a group onto another's displayName.
 */
export const decideGroup = (command: GroupCommand, ctx: GroupContext): GroupDecision => {
  if (command.type === 'roster.command.group.create.v1') {
    const group = deduplicated(command.data.group);
    const holder = ctx.sameDisplayName;
    if (holder)
      return repeats(group, holder)
        ? { accepted: true, state: holder, groupId: holder.id, events: [], status: 201 }
        : { accepted: false, error: displayNameTaken(group.displayName) };
    const error = groupTooLarge(group) ?? unknownMember(group, undefined, ctx);
    if (error) return { accepted: false, error };
    const created: GroupEvent = {
      type: 'GroupCreated',
      id: command.subject,
      tenant: command.tenant,
      attributes: group,
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
  const next =
    command.type === 'roster.command.group.replace.v1'
      ? command.data.group
      : patchGroupAttributes(target.attributes, command.data.operations);
  if (!('displayName' in next)) return { accepted: false, error: next };
  const group = deduplicated(next);
  const holder = ctx.sameDisplayName;
  const renamedOntoTaken =
    group.displayName !== target.attributes.displayName && holder && holder.id !== target.id
      ? displayNameTaken(group.displayName)
      : undefined;
  // A patched group was held to the size limits by patchGroupAttributes; a replacement is checked here.
  const tooLarge = command.type === 'roster.command.group.replace.v1' ? groupTooLarge(group) : undefined;
  const error = renamedOntoTaken ?? tooLarge ?? unknownMember(group, target.attributes, ctx);
  if (error) return { accepted: false, error };
  return {
    accepted: true,
    state: target,
    groupId: target.id,
    events: change(target, group, ctx.now),
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
