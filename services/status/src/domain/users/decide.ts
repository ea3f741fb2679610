import { isDeepStrictEqual } from 'node:util';
import type { Command, UserAttributes } from '@roster/contracts';
import {
  ifMatchHolds,
  patchUserAttributes,
  preconditionFailed,
  resourceNotFound,
  type ScimError,
  scimErrors,
  userTooLarge,
} from '@roster/scim';
import type { Decider, Decision } from '@roster/service-kit';
import { evolveUser } from './evolve.ts';
import type { UserEvent, UserState } from './state.ts';

export type UserCommand = Extract<Command, { type: `roster.command.user.${string}` }>;

/** What the shell looked up before deciding: the addressed user and the holder of the userName. */
export interface UserContext {
  now: string;
  /** The user at the command's subject id. */
  target: UserState | undefined;
  /**
   * The user of the tenant holding the userName (case-insensitive) the command ends with, in any
   * state. The shell resolves it for the userName of the decided state and decides again if that
   * differs from the one it looked up (a PATCH can rename); the unique index backs this under
   * races. externalId is no key: it identifies nobody (RFC 7643 §3.1 gives it no uniqueness).
   */
  sameUserName: UserState | undefined;
}

/** What an accepted user decision tells the shell beside its events: the user and the SCIM status. */
export interface UserAccepted {
  userId: string;
  status: 200 | 201 | 204;
}

/** Accepted decisions name the user they change (`state`: undefined for a new one). */
export type UserDecision = Decision<UserState | undefined, UserEvent, ScimError, UserAccepted>;

const rejected = (error: ScimError): UserDecision => ({ accepted: false, error });
const accepted = (
  state: UserState | undefined,
  userId: string,
  events: UserEvent[],
  status: UserAccepted['status'],
): UserDecision => ({ accepted: true, state, userId, events, status });

const ATTRIBUTE_NAMES = (a: UserAttributes, b: UserAttributes): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();

/** Canonical attributes whose values differ, `active` excluded (it has its own events). */
export const changedAttributes = (before: UserAttributes, after: UserAttributes): string[] =>
  ATTRIBUTE_NAMES(before, after).filter(
    (name) =>
      name !== 'active' &&
      !isDeepStrictEqual(before[name as keyof UserAttributes], after[name as keyof UserAttributes]),
  );

/**
 * The events that turn `current` into `next` attributes: profile changes, then (de)activation.
 * When nothing changes but a step said no last time (e.g. no seat left), the repeat asks the
 * steps to try again.
 */
const transition = (
  current: UserState,
  next: UserAttributes,
  now: string,
  scimDeleted = false,
): UserEvent[] => {
  const events = changes(current, next, now, scimDeleted);
  return events.length === 0 && current.needsResync ? [{ type: 'UserResyncRequested', at: now }] : events;
};

const changes = (
  current: UserState,
  next: UserAttributes,
  now: string,
  scimDeleted: boolean,
): UserEvent[] => {
  const events: UserEvent[] = [];
  const changed = changedAttributes(current.attributes, { ...next, active: current.attributes.active });
  if (changed.length > 0) {
    events.push({
      type: 'UserAttributesChanged',
      attributes: { ...next, active: current.attributes.active },
      changed,
      at: now,
    });
  }
  const wasActive = current.attributes.active && !current.scimDeleted;
  if (wasActive && (!next.active || scimDeleted))
    events.push({ type: 'UserDeactivated', scimDeleted, at: now });
  else if (!wasActive && next.active && !scimDeleted) events.push({ type: 'UserReactivated', at: now });
  return events;
};

/** A different user already holds this userName. */
const keyConflict = (ctx: UserContext, selfId: string | undefined): ScimError | undefined =>
  ctx.sameUserName && ctx.sameUserName.id !== selfId
    ? scimErrors.uniqueness(`userName "${ctx.sameUserName.attributes.userName}" is already taken`)
    : undefined;

/**
 * POST /Users. The userName (case-insensitive) decides who the person is, never the externalId:
 * - nobody holds it: a new user at the allocated id (whatever other user shares the externalId);
 * - a deactivated or SCIM-deleted user holds it: the person returns, and that same account is
 *   reactivated with the POST's attributes (its externalId becomes the POST's);
 * - an active user holds it: an identical repeat of the create (an IdP retrying after a timeout)
 *   answers with that user rather than failing; any difference, externalId included, is a
 *   uniqueness conflict.
 */
const decideCreate = (
  tenant: string,
  subject: string,
  user: UserAttributes,
  ctx: UserContext,
): UserDecision => {
  const existing = ctx.sameUserName;
  if (!existing) {
    return accepted(
      undefined,
      subject,
      [{ type: 'UserProvisioned', id: subject, tenant, attributes: user, at: ctx.now }],
      201,
    );
  }
  const dormant = existing.scimDeleted || !existing.attributes.active;
  if (dormant)
    return accepted(existing, existing.id, transition(existing, { ...user, active: true }, ctx.now), 201);
  if (changedAttributes(existing.attributes, user).length === 0 && user.active) {
    return accepted(existing, existing.id, transition(existing, user, ctx.now), 201);
  }
  return rejected(keyConflict(ctx, undefined)!);
};

/** The addressed user, visible through SCIM (a SCIM-deleted user is 404 to every SCIM call). */
const visibleTarget = (command: UserCommand, ctx: UserContext): UserState | ScimError => {
  const target = ctx.target;
  if (!target || target.scimDeleted) return resourceNotFound('User', command.subject);
  if (!ifMatchHolds(command.data.ifMatch, target.version)) return preconditionFailed(target.version);
  return target;
};

const isError = (value: UserState | ScimError): value is ScimError => !('attributes' in value);

/** decide(command, state) → events, for every user command. Pure: no I/O, time comes from the context. */
export const decideUser = (command: UserCommand, ctx: UserContext): UserDecision => {
  if (command.type === 'roster.command.user.create.v1')
    return decideCreate(command.tenant, command.subject, command.data.user, ctx);

  const target = visibleTarget(command, ctx);
  if (isError(target)) return rejected(target);

  switch (command.type) {
    case 'roster.command.user.replace.v1': {
      const conflict = keyConflict(ctx, target.id) ?? userTooLarge(command.data.user);
      return conflict
        ? rejected(conflict)
        : accepted(target, target.id, transition(target, command.data.user, ctx.now), 200);
    }
    case 'roster.command.user.patch.v1': {
      const patched = patchUserAttributes(target.attributes, command.data.operations);
      if (!('userName' in patched)) return rejected(patched);
      const conflict = keyConflict(ctx, target.id);
      return conflict
        ? rejected(conflict)
        : accepted(target, target.id, transition(target, patched, ctx.now), 200);
    }
    case 'roster.command.user.deactivate.v1':
      return accepted(
        target,
        target.id,
        transition(target, { ...target.attributes, active: false }, ctx.now),
        200,
      );
    case 'roster.command.user.reactivate.v1':
      return accepted(
        target,
        target.id,
        transition(target, { ...target.attributes, active: true }, ctx.now),
        200,
      );
    case 'roster.command.user.delete.v1': {
      const events = transition(target, { ...target.attributes, active: false }, ctx.now, true);
      return accepted(
        target,
        target.id,
        events.length > 0 ? events : [{ type: 'UserScimDeleted', at: ctx.now }],
        204,
      );
    }
  }
};

/** The users' decider: a user starts as nobody (`undefined`) and is changed only by its events. */
export const userDecider: Decider<
  UserCommand,
  UserContext,
  UserState | undefined,
  UserEvent,
  ScimError,
  UserAccepted
> = { initialState: undefined, decide: decideUser, evolve: evolveUser };
