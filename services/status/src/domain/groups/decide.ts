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

/** decide(command, state) → events for pushed groups. */
export const decideGroup = (command: GroupCommand, ctx: GroupContext): GroupDecision => {
  if (command.type === 'roster.command.group.create.v1') {
    const group = deduplicated(command.data.group);
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
  // A patched group was held to the size limits by patchGroupAttributes; a replacement is checked here.
  const tooLarge = command.type === 'roster.command.group.replace.v1' ? groupTooLarge(group) : undefined;
  const error = tooLarge ?? unknownMember(group, target.attributes, ctx);
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
