import type { Command, Step } from '@roster/contracts';
import type { ScimError } from '@roster/scim';
import { type Clock, decidedState, type OrganizationSettings } from '@roster/service-kit';
import { type GroupCommand, groupDecider } from '../domain/groups/decide.ts';
import { referencedMemberIds } from '../domain/groups/members.ts';
import { type UserCommand, type UserContext, userDecider } from '../domain/users/decide.ts';
import type { UserState } from '../domain/users/state.ts';
import { groupMessages, resultMessage, userMessages } from '../messages/command.ts';
import { type GroupsDirectory, toGroupDocument } from '../store/groups.ts';
import type { LedgerEntry } from '../store/ledger.ts';
import { toDocument, type UsersDirectory, userNameKey } from '../store/users.ts';

export interface DecideDeps {
  users: UsersDirectory;
  groups: GroupsDirectory;
  organizations: OrganizationSettings;
  /** Steps a SCIM response waits for (configuration; empty = answer once the directory decided). */
  awaits: Step[];
  clock: Clock;
}

const isUserCommand = (command: Command): command is UserCommand =>
  command.type.startsWith('roster.command.user.');

/** The kind of SCIM resource a command is about. */
export const resourceTypeOf = (command: Command): 'User' | 'Group' =>
  isUserCommand(command) ? 'User' : 'Group';

const ledgerBase = (command: Command, resourceType: 'User' | 'Group') => ({
  _id: command.id,
  tenant: command.tenant,
  subject: command.subject,
  type: command.type,
  actor: command.data.actor,
  receivedAt: command.time,
  ...(command.traceparent ? { traceparent: command.traceparent } : {}),
  resourceType,
  published: false,
});

/** A refused command writes nothing and is answered at once with its SCIM error. */
const refused = (
  command: Command,
  resourceType: 'User' | 'Group',
  error: ScimError,
): Omit<LedgerEntry, 'completed'> => {
  const entry = {
    ...ledgerBase(command, resourceType),
    resourceId: command.subject,
    response: { status: error.httpStatus, error: error.toBody() },
    awaits: [],
  };
  return { ...entry, outbox: [resultMessage(command, entry)] };
};

interface Keys {
  userName: string | undefined;
  externalId: string | undefined;
}

const keysOf = (state: UserState | undefined): Keys => ({
  userName: state?.attributes.userName,
  externalId: state?.attributes.externalId,
});

const sameKeys = (a: Keys, b: Keys): boolean =>
  (a.userName === undefined ? undefined : userNameKey(a.userName)) ===
    (b.userName === undefined ? undefined : userNameKey(b.userName)) && a.externalId === b.externalId;

const userContext = async (deps: DecideDeps, command: UserCommand, keys: Keys): Promise<UserContext> => {
  const tenant = command.tenant;
  const [target, sameUserName, sameExternalId] = await Promise.all([
    command.type === 'roster.command.user.create.v1' ? undefined : deps.users.byId(tenant, command.subject),
    keys.userName === undefined ? undefined : deps.users.byUserName(tenant, keys.userName),
    deps.users.byExternalId(tenant, keys.externalId),
  ]);
  return { now: deps.clock.now(), target, sameUserName, sameExternalId };
};

const initialKeys = async (deps: DecideDeps, command: UserCommand): Promise<Keys> => {
  if ('user' in command.data)
    return { userName: command.data.user.userName, externalId: command.data.user.externalId };
  return keysOf(await deps.users.byId(command.tenant, command.subject));
};

/**
 * Decides a user command: looks up what the decision depends on, asks the pure decider, and if
 * the decided state holds different keys than were looked up (a PATCH renamed the user), looks
 * those up and decides again, so uniqueness is judged against the final keys.
 */
const decideUserCommand = async (
  deps: DecideDeps,
  command: UserCommand,
): Promise<Omit<LedgerEntry, 'completed'>> => {
  let keys = await initialKeys(deps, command);
  for (;;) {
    const ctx = await userContext(deps, command, keys);
    const decision = userDecider.decide(command, ctx);
    if (!decision.accepted) return refused(command, 'User', decision.error);
    // Accepted user decisions always end with a user (provisioned, changed or as it was).
    const after = decidedState(userDecider, decision) as UserState;
    const decidedKeys = keysOf(after);
    if (!sameKeys(decidedKeys, keys)) {
      keys = decidedKeys;
      continue;
    }
    const roleType = await deps.organizations.roleType(command.tenant);
    const document = toDocument(after, undefined);
    const changed = decision.events.length > 0;
    const awaits = changed ? deps.awaits : [];
    const entry = {
      ...ledgerBase(command, 'User'),
      resourceId: after.id,
      response: { status: decision.status },
      document,
      ...(changed ? { write: { kind: 'user' as const, doc: document } } : {}),
      awaits,
    };
    const outbox = userMessages(command, after, decision.events, roleType, awaits);
    return { ...entry, outbox: awaits.length === 0 ? [...outbox, resultMessage(command, entry)] : outbox };
  }
};

const decideGroupCommand = async (
  deps: DecideDeps,
  command: GroupCommand,
): Promise<Omit<LedgerEntry, 'completed'>> => {
  const tenant = command.tenant;
  const target =
    command.type === 'roster.command.group.create.v1'
      ? undefined
      : await deps.groups.byId(tenant, command.subject);
  const knownUserIds = await deps.users.visibleIds(tenant, referencedMemberIds(command));
  const decision = groupDecider.decide(command, { now: deps.clock.now(), target, knownUserIds });
  if (!decision.accepted) return refused(command, 'Group', decision.error);
  const after = decidedState(groupDecider, decision);
  const changed = decision.events.length > 0;
  const awaits = changed ? deps.awaits.filter((s) => s === 'membership') : [];
  const finalState = after ?? decision.state!;
  const document = after ? toGroupDocument(after) : undefined;
  const write = !changed
    ? undefined
    : document
      ? { kind: 'group' as const, doc: document }
      : { kind: 'group-removal' as const, tenant, id: finalState.id };
  const entry = {
    ...ledgerBase(command, 'Group'),
    resourceId: finalState.id,
    response: { status: decision.status },
    ...(document ? { document } : {}),
    ...(write ? { write } : {}),
    awaits,
  };
  // A deleted group has no state left; its deletion is announced as its last, newest change.
  const announced = after ?? { ...finalState, version: finalState.version + 1 };
  const outbox = groupMessages(command, announced, decision.events, awaits);
  return { ...entry, outbox: awaits.length === 0 ? [...outbox, resultMessage(command, entry)] : outbox };
};

/** Decides one command into the ledger entry that records it. */
export const decideCommand = async (deps: DecideDeps, command: Command): Promise<LedgerEntry> => {
  const entry = isUserCommand(command)
    ? await decideUserCommand(deps, command)
    : await decideGroupCommand(deps, command as GroupCommand);
  return { ...entry, completed: entry.awaits.length === 0 };
};
