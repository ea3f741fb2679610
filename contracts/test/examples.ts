import { type AnyEvent, envelope, SCHEMA } from '../src/index.ts';

/** One valid example of every message type in the catalogue, keyed by its type. */
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const base = (type: string, data: unknown) =>
  envelope(
    type as AnyEvent['type'],
    {
      source: '/roster/test',
      tenant: 'org-1',
      subject: 'user-1',
      correlationid: 'cmd-1',
      causationid: 'msg-0',
      traceparent: TRACEPARENT,
    },
    data as never,
  );

const actor = { kind: 'scim-token', id: 'tok-1', client: 'okta' };
const user = {
  userName: 'ada@example.com',
  active: true,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
  userType: 'org-full-license',
  roles: [{ type: 'synthesia_role', value: 'organization-admin' }],
  enterprise: { department: 'R&D', manager: { value: 'user-2' } },
};
const group = { displayName: 'Marketing Workspace', members: [{ value: 'user-1' }] };
const replaceActive = {
  op: 'replace',
  path: { schema: SCHEMA.user, attribute: 'emails', subAttribute: 'value' as const },
  value: 'ada@new.example.com',
};
const removeMember = {
  op: 'remove',
  path: {
    schema: SCHEMA.group,
    attribute: 'members',
    valueFilter: {
      kind: 'or',
      left: {
        kind: 'compare',
        op: 'eq',
        path: { schema: SCHEMA.group, attribute: 'members', subAttribute: 'value' },
        value: 'user-1',
      },
      right: {
        kind: 'not',
        filter: {
          kind: 'present',
          path: { schema: SCHEMA.group, attribute: 'members', subAttribute: 'display' },
        },
      },
    },
  },
};
const snapshot = {
  id: 'user-1',
  userName: 'ada@example.com',
  email: 'ada@example.com',
  active: true,
  scimDeleted: false,
  userType: 'org-full-license',
  organizationAdmin: true,
};
const userRef = { userId: 'user-1', userName: 'ada@example.com' };

export const EXAMPLES: Record<string, unknown> = {
  'roster.command.user.create.v1': base('roster.command.user.create.v1', { actor, user }),
  'roster.command.user.replace.v1': base('roster.command.user.replace.v1', { actor, user, ifMatch: 'W/"3"' }),
  'roster.command.user.patch.v1': base('roster.command.user.patch.v1', {
    actor,
    operations: [replaceActive],
  }),
  'roster.command.user.deactivate.v1': base('roster.command.user.deactivate.v1', { actor }),
  'roster.command.user.reactivate.v1': base('roster.command.user.reactivate.v1', { actor }),
  'roster.command.user.delete.v1': base('roster.command.user.delete.v1', { actor }),
  'roster.command.group.create.v1': base('roster.command.group.create.v1', { actor, group }),
  'roster.command.group.replace.v1': base('roster.command.group.replace.v1', { actor, group }),
  'roster.command.group.patch.v1': base('roster.command.group.patch.v1', {
    actor,
    operations: [removeMember],
  }),
  'roster.command.group.delete.v1': base('roster.command.group.delete.v1', { actor }),
  'roster.directory.user.changed.v1': base('roster.directory.user.changed.v1', {
    commandId: 'cmd-1',
    change: 'provisioned',
    sequence: 1,
    user: snapshot,
    awaits: ['licensing', 'membership'],
  }),
  'roster.directory.group.changed.v2': base('roster.directory.group.changed.v2', {
    commandId: 'cmd-1',
    change: 'updated',
    sequence: 4,
    group: { id: 'group-1', displayName: 'Marketing Workspace', memberCount: 2 },
    members: { kind: 'delta', added: ['user-1'], removed: ['user-7'] },
    awaits: ['membership'],
  }),
  'roster.directory.group.changed.v1': base('roster.directory.group.changed.v1', {
    commandId: 'cmd-1',
    change: 'updated',
    sequence: 4,
    group: { id: 'group-1', displayName: 'Marketing Workspace', memberIds: ['user-1'] },
    awaits: ['membership'],
  }),
  'roster.outcome.step.v1': base('roster.outcome.step.v1', {
    commandId: 'cmd-1',
    step: 'content-transfer',
    resource: { type: 'User', id: 'user-1', sequence: 2 },
    result: 'succeeded',
    state: {
      step: 'content-transfer',
      state: 'done',
      toUserId: 'user-9',
      folder: 'ada@example.com',
      itemsMoved: 20,
    },
  }),
  'roster.command.result.v1': base('roster.command.result.v1', {
    commandId: 'cmd-1',
    response: { status: 201, resourceType: 'User', document: { _id: 'user-1' } },
  }),
  'roster.lifecycle.user.provisioned.v1': base('roster.lifecycle.user.provisioned.v1', {
    ...userRef,
    email: 'ada@example.com',
    active: true,
  }),
  'roster.lifecycle.user.updated.v1': base('roster.lifecycle.user.updated.v1', {
    ...userRef,
    changedAttributes: ['title'],
  }),
  'roster.lifecycle.user.deactivated.v1': base('roster.lifecycle.user.deactivated.v1', {
    ...userRef,
    scimDeleted: false,
  }),
  'roster.lifecycle.user.reactivated.v1': base('roster.lifecycle.user.reactivated.v1', { ...userRef }),
  'roster.lifecycle.user.license.changed.v1': base('roster.lifecycle.user.license.changed.v1', {
    ...userRef,
    from: 'org-free-license',
    to: null,
  }),
  'roster.lifecycle.user.role.changed.v1': base('roster.lifecycle.user.role.changed.v1', {
    ...userRef,
    from: 'member',
    to: 'organization-admin',
  }),
  'roster.lifecycle.user.workspace.added.v1': base('roster.lifecycle.user.workspace.added.v1', {
    ...userRef,
    workspaceId: 'ws-1',
    workspaceName: 'Marketing Workspace',
  }),
  'roster.lifecycle.user.workspace.removed.v1': base('roster.lifecycle.user.workspace.removed.v1', {
    ...userRef,
    workspaceId: 'ws-1',
    workspaceName: 'Marketing Workspace',
  }),
  'roster.lifecycle.user.content.transferred.v1': base('roster.lifecycle.user.content.transferred.v1', {
    ...userRef,
    state: 'done',
    toUserId: 'user-9',
    folder: 'ada@example.com',
    itemsMoved: 20,
  }),
  'roster.org.workspace.changed.v1': base('roster.org.workspace.changed.v1', {
    change: 'renamed',
    workspace: { id: 'ws-1', name: 'Marketing Workspace', isDefault: false },
    previousName: 'Marketing',
  }),
  'roster.org.settings.changed.v1': base('roster.org.settings.changed.v1', {
    defaultLicense: 'org-free-license',
    seatLimits: { 'org-full-license': 10 },
    autoCapture: true,
    domains: ['example.com'],
    roleType: 'synthesia_role',
  }),
  'roster.dead-letter.v1': {
    id: 'dl-1',
    failedAt: '2026-11-25T10:00:00.000Z',
    consumerGroup: 'roster-licensing',
    origin: {
      topic: 'roster.directory-changes.v1',
      partition: 2,
      offset: '41',
      key: 'org-1:user-1',
      headers: {},
    },
    error: { kind: 'unparseable', message: 'not JSON' },
    value: { encoding: 'utf8', data: '{oops' },
  },
};
