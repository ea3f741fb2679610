import type { Command, GroupMembersChange, Step } from '@roster/contracts';
import type { ScimError } from '@roster/scim';
import { type Clock, decidedState, type OrganizationSettings } from '@roster/service-kit';
import { type GroupCommand, groupDecider } from '../domain/groups/decide.ts';
import { referencedMemberIds } from '../domain/groups/members.ts';
import type { GroupEvent, GroupState } from '../domain/groups/state.ts';
import { type UserCommand, type UserContext, userDecider } from '../domain/users/decide.ts';
import type { UserState } from '../domain/users/state.ts';
import { groupMessages, resultMessage, userMessages } from '../messages/command.ts';
import type { DirectoryWrite } from '../store/decision-commit.ts';
import { type GroupsDirectory, toGroupDocument } from '../store/groups.ts';
import type { LedgerEntry, OutboxMessage } from '../store/ledger.ts';
import { toDocument, type UserReads, userNameKey } from '../store/users.ts';

export interface DecideDeps {
  users: UserReads;
  groups: GroupsDirectory;
  organizations: OrganizationSettings;
  /** Steps a SCIM response waits for (configuration; empty = answer once the directory decided). */
  awaits: Step[];
  clock: Clock;
}

/** A command decided: the entry recording it and, for an accepted change, the write it implies. */
export interface DecidedCommand {
  entry: LedgerEntry;
  write?: DirectoryWrite;
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
export const refusedEntry = (command: Command, error: ScimError): LedgerEntry => {
  const entry = {
    ...ledgerBase(command, resourceTypeOf(command)),
    resourceId: command.subject,
    response: { status: error.httpStatus, error: error.toBody() },
    awaits: [],
    completed: true,
  };
  return { ...entry, outbox: [resultMessage(command, entry)] };
};

/** An accepted command: answered at once unless it waits for steps (their reports complete it). */
const acceptedEntry = (
  command: Command,
  decided: Pick<LedgerEntry, 'resourceId' | 'document' | 'awaits'> & { status: number },
  messages: OutboxMessage[],
): LedgerEntry => {
  const { resourceId, status, document, awaits } = decided;
  const entry = {
    ...ledgerBase(command, resourceTypeOf(command)),
    resourceId,
    response: { status },
    ...(document ? { document } : {}),
    awaits,
  };
  const answered = awaits.length === 0;
  return {
    ...entry,
    outbox: answered ? [...messages, resultMessage(command, entry)] : messages,
    completed: answered,
  };
};

/**
 * Decides against the holder of the unique key the decision ends with: `decideFor(key)` looks up
 * the holder of `key` and decides; when the decided resource holds another key (a PATCH renamed
 * it), the holder of that key is looked up and the command decided again, so uniqueness is judged
 * against the final key.
 */
const decideForFinalKey = async (
  firstKey: string | undefined,
  decideFor: (key: string | undefined) => Promise<{ decided: DecidedCommand; finalKey: string | undefined }>,
): Promise<DecidedCommand> => {
  for (let key = firstKey; ; ) {
    const { decided, finalKey } = await decideFor(key);
    if (finalKey === key) return decided;
    key = finalKey;
  }
};

const userContext = async (
  deps: DecideDeps,
  command: UserCommand,
  userName: string | undefined,
): Promise<UserContext> => {
  const tenant = command.tenant;
  const [target, sameUserName] = await Promise.all([
    command.type === 'roster.command.user.create.v1' ? undefined : deps.users.byId(tenant, command.subject),
    userName === undefined ? undefined : deps.users.byUserName(tenant, userName),
  ]);
  return { now: deps.clock.now(), target, sameUserName };
};

const commandUserName = async (deps: DecideDeps, command: UserCommand): Promise<string | undefined> => {
  const userName =
    'user' in command.data
      ? command.data.user.userName
      : (await deps.users.byId(command.tenant, command.subject))?.attributes.userName;
  return userName === undefined ? undefined : userNameKey(userName);
};

const decideUserCommand = async (deps: DecideDeps, command: UserCommand): Promise<DecidedCommand> =>
  decideForFinalKey(await commandUserName(deps, command), async (userName) => {
    const decision = userDecider.decide(command, await userContext(deps, command, userName));
    if (!decision.accepted)
      return { decided: { entry: refusedEntry(command, decision.error) }, finalKey: userName };
    // Accepted user decisions always end with a user (provisioned, changed or as it was).
    const after = decidedState(userDecider, decision) as UserState;
    const roleType = await deps.organizations.roleType(command.tenant);
    const document = toDocument(after, undefined);
    const changed = decision.events.length > 0;
    const awaits = changed ? deps.awaits : [];
    const entry = acceptedEntry(
      command,
      { resourceId: after.id, status: decision.status, document, awaits },
      userMessages(command, after, decision.events, roleType, awaits),
    );
    const write = { kind: 'user' as const, doc: document, expectedVersion: decision.state?.version };
    return {
      decided: changed ? { entry, write } : { entry },
      finalKey: userNameKey(after.attributes.userName),
    };
  });

const commandDisplayName = (command: GroupCommand, target: GroupState | undefined): string | undefined =>
  'group' in command.data ? command.data.group.displayName : target?.attributes.displayName;

/** The members the directory write of a group decision writes: what its event did to them. */
const membersWritten = (events: readonly GroupEvent[]): GroupMembersChange => {
  const last = events.at(-1);
  if (last?.type === 'GroupCreated') return { kind: 'replaced', memberIds: last.memberIds };
  if (last?.type === 'GroupChanged') return last.members;
  return { kind: 'delta', added: [], removed: [] };
};

const decideGroupCommand = async (deps: DecideDeps, command: GroupCommand): Promise<DecidedCommand> => {
  const tenant = command.tenant;
  const target =
    command.type === 'roster.command.group.create.v1'
      ? undefined
      : await deps.groups.byId(tenant, command.subject);
  const named = referencedMemberIds(command);
  const [knownUserIds, heldByTarget] = await Promise.all([
    deps.users.visibleIds(tenant, named),
    target ? deps.groups.membersAmong(tenant, target.id, named) : new Set<string>(),
  ]);
  return decideForFinalKey(commandDisplayName(command, target), async (displayName) => {
    const sameDisplayName =
      displayName === undefined ? undefined : await deps.groups.byDisplayName(tenant, displayName);
    // A create is an identical repeat or a conflict by the members of the group holding its name.
    const heldIds =
      !target && sameDisplayName
        ? await deps.groups.membersAmong(tenant, sameDisplayName.id, named)
        : heldByTarget;
    const decision = groupDecider.decide(command, {
      now: deps.clock.now(),
      target,
      knownUserIds,
      heldIds,
      sameDisplayName,
    });
    if (!decision.accepted)
      return { decided: { entry: refusedEntry(command, decision.error) }, finalKey: displayName };
    const after = decidedState(groupDecider, decision);
    const changed = decision.events.length > 0;
    const awaits = changed ? deps.awaits.filter((s) => s === 'membership') : [];
    // Accepted group decisions name the group they change; a deletion leaves no state after it.
    const before = decision.state;
    const finalState = (after ?? before) as GroupState;
    const document = after ? toGroupDocument(after) : undefined;
    // A deleted group has no state left; its deletion is announced as its last, newest change.
    const announced = after ?? { ...finalState, version: finalState.version + 1 };
    const entry = acceptedEntry(
      command,
      { resourceId: finalState.id, status: decision.status, document, awaits },
      groupMessages(command, announced, decision.events, awaits),
    );
    const write: DirectoryWrite = document
      ? {
          kind: 'group',
          doc: document,
          expectedVersion: before?.version,
          members: membersWritten(decision.events),
        }
      : { kind: 'group-removal', tenant, id: finalState.id, expectedVersion: finalState.version };
    return {
      decided: changed ? { entry, write } : { entry },
      finalKey: after ? after.attributes.displayName : displayName,
    };
  });
};

/** Decides one command into the ledger entry that records it and the directory write it implies. */
export const decideCommand = (deps: DecideDeps, command: Command): Promise<DecidedCommand> =>
  isUserCommand(command)
    ? decideUserCommand(deps, command)
    : decideGroupCommand(deps, command as GroupCommand);
