import {
  type Command,
  envelope,
  type GroupMembersChange,
  type LifecycleEvent,
  ORGANIZATION_ADMIN_ROLE,
  type Step,
  type UserAttributes,
  type UserChanged,
  type UserSnapshot,
} from '@roster/contracts';
import { type Cause, causedBy } from '@roster/service-kit';
import type { GroupEvent, GroupState } from '../domain/groups/state.ts';
import type { UserEvent, UserState } from '../domain/users/state.ts';
import type { LedgerEntry, OutboxMessage } from '../store/ledger.ts';

const SOURCE = '/roster/status';

/** The command a message flows from: all it needs to know of it. */
type Origin = Cause;

const primaryEmail = (user: UserAttributes): string =>
  (user.emails?.find((e) => e.primary) ?? user.emails?.[0])?.value ?? user.userName;

export const snapshotOf = (state: UserState, roleType: string): UserSnapshot => ({
  id: state.id,
  userName: state.attributes.userName,
  email: primaryEmail(state.attributes),
  active: state.attributes.active && !state.scimDeleted,
  scimDeleted: state.scimDeleted,
  ...(state.attributes.userType ? { userType: state.attributes.userType } : {}),
  organizationAdmin: (state.attributes.roles ?? []).some(
    (r) => r.type === roleType && r.value === ORGANIZATION_ADMIN_ROLE,
  ),
});

/** The one directory change a user command produces: the most significant of its events. */
const userChangeKind = (events: UserEvent[]): UserChanged['data']['change'] => {
  const types = new Set(events.map((e) => e.type));
  if (types.has('UserDeactivated') || types.has('UserScimDeleted')) return 'deactivated';
  if (types.has('UserReactivated')) return 'reactivated';
  if (types.has('UserProvisioned')) return 'provisioned';
  return 'updated';
};

const userLifecycle = (command: Command, state: UserState, event: UserEvent): LifecycleEvent | undefined => {
  const base = causedBy(command, SOURCE, state.id);
  const ref = { userId: state.id, userName: state.attributes.userName };
  switch (event.type) {
    case 'UserProvisioned':
      return envelope('roster.lifecycle.user.provisioned.v1', base, {
        ...ref,
        email: primaryEmail(state.attributes),
        active: state.attributes.active,
      });
    case 'UserAttributesChanged':
      return envelope('roster.lifecycle.user.updated.v1', base, { ...ref, changedAttributes: event.changed });
    case 'UserDeactivated':
      return envelope('roster.lifecycle.user.deactivated.v1', base, {
        ...ref,
        scimDeleted: event.scimDeleted,
      });
    case 'UserReactivated':
      return envelope('roster.lifecycle.user.reactivated.v1', base, ref);
    case 'UserScimDeleted':
    case 'UserResyncRequested':
      return undefined;
  }
};

export const userMessages = (
  command: Command,
  state: UserState,
  events: UserEvent[],
  roleType: string,
  awaits: Step[],
): OutboxMessage[] => {
  if (events.length === 0) return [];
  const change = envelope('roster.directory.user.changed.v1', causedBy(command, SOURCE, state.id), {
    commandId: command.id,
    change: userChangeKind(events),
    sequence: state.version,
    user: snapshotOf(state, roleType),
    awaits,
  });
  const lifecycle = events.flatMap((e) => userLifecycle(command, state, e) ?? []);
  return [
    { topic: 'directoryChanges', message: change },
    ...lifecycle.map((message) => ({ topic: 'lifecycle' as const, message })),
  ];
};

/** What a group event does to the members: a deletion empties the group. */
const membersChange = (event: GroupEvent): GroupMembersChange => {
  switch (event.type) {
    case 'GroupCreated':
      return { kind: 'replaced', memberIds: event.memberIds };
    case 'GroupChanged':
      return event.members;
    case 'GroupDeleted':
      return { kind: 'replaced', memberIds: [] };
  }
};

export const groupMessages = (
  command: Command,
  state: GroupState,
  events: GroupEvent[],
  awaits: Step[],
): OutboxMessage[] => {
  const last = events.at(-1);
  if (!last) return [];
  const deleted = last.type === 'GroupDeleted';
  const change = envelope('roster.directory.group.changed.v2', causedBy(command, SOURCE, state.id), {
    commandId: command.id,
    change: last.type === 'GroupCreated' ? 'created' : deleted ? 'deleted' : 'updated',
    sequence: state.version,
    group: {
      id: state.id,
      displayName: state.attributes.displayName,
      memberCount: deleted ? 0 : state.memberCount,
    },
    members: membersChange(last),
    awaits,
  });
  return [{ topic: 'directoryChanges', message: change }];
};

/** The result the waiting ingress replica turns into the SCIM response. */
export const resultMessage = (
  command: Origin,
  entry: Pick<LedgerEntry, 'response' | 'resourceType' | 'resourceId' | 'document'>,
): OutboxMessage => {
  const result = envelope('roster.command.result.v1', causedBy(command, SOURCE, entry.resourceId), {
    commandId: command.id,
    response: {
      status: entry.response.status,
      ...(entry.response.error ? { error: entry.response.error } : { resourceType: entry.resourceType }),
      ...(entry.document && entry.response.status !== 204 ? { document: entry.document } : {}),
    },
  });
  return { topic: 'commandResults', message: result };
};
