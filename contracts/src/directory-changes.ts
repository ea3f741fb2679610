import { type Static, Type } from '@sinclair/typebox';
import { Envelope } from './envelope.ts';
import { License } from './scim/resources.ts';

/**
 * Directory changes: the status service's accepted decisions, fanned out to the step consumers
 * (licensing, membership, content transfer). A user change carries the full snapshot the
 * consumers need, so they converge on state rather than replaying deltas; a group change carries
 * its name and its members' delta (a group's members can be far more than one message holds).
 * Both carry a per-resource `sequence` that only grows: a consumer applies a change only if its
 * sequence is newer than the one it recorded (redelivery changes nothing twice).
 */

export const STEPS = ['licensing', 'membership', 'content-transfer'] as const;
export const Step = Type.Union(STEPS.map((s) => Type.Literal(s)));
export type Step = Static<typeof Step>;

export const UserSnapshot = Type.Object(
  {
    id: Type.String(),
    userName: Type.String(),
    email: Type.String({ description: 'primary work email, else userName; names the transfer folder' }),
    active: Type.Boolean(),
    scimDeleted: Type.Boolean({ description: 'DELETE /Users/{id} happened; the account is kept' }),
    userType: Type.Optional(License),
    organizationAdmin: Type.Boolean({ description: 'roles carry organization-admin of the org role type' }),
  },
  { additionalProperties: false },
);
export type UserSnapshot = Static<typeof UserSnapshot>;

export const USER_CHANGES = ['provisioned', 'updated', 'deactivated', 'reactivated'] as const;

export const UserChanged = Envelope(
  'roster.directory.user.changed.v1',
  Type.Object(
    {
      commandId: Type.String(),
      change: Type.Union(USER_CHANGES.map((c) => Type.Literal(c))),
      sequence: Type.Integer({ minimum: 1, description: 'per-user, strictly increasing' }),
      user: UserSnapshot,
      awaits: Type.Array(Step, { description: 'steps whose outcome the SCIM response waits for' }),
    },
    { additionalProperties: false },
  ),
  'A user in the directory changed; consumers converge on the snapshot.',
);
export type UserChanged = Static<typeof UserChanged>;

const MemberIds = (description: string) => Type.Array(Type.String(), { description });

/**
 * What a group change does to its members, bounded by the command it comes from (one SCIM
 * request): a PATCH's members added and removed, or the whole list a POST, a PUT or a PATCH
 * `replace` of `members` sets. A deletion carries no ids: every member leaves.
 */
export const GroupMembersChange = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('delta'),
      added: MemberIds('users that became members (none was a member before)'),
      removed: MemberIds('users that stopped being members (each was a member before)'),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('replaced'),
      memberIds: MemberIds('every member after the change; any other member left'),
    },
    { additionalProperties: false },
  ),
]);
export type GroupMembersChange = Static<typeof GroupMembersChange>;

const GROUP_CHANGES = Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('deleted')]);

export const GroupChanged = Envelope(
  'roster.directory.group.changed.v2',
  Type.Object(
    {
      commandId: Type.String(),
      change: GROUP_CHANGES,
      sequence: Type.Integer({ minimum: 1, description: 'per-group, strictly increasing' }),
      group: Type.Object(
        { id: Type.String(), displayName: Type.String(), memberCount: Type.Integer({ minimum: 0 }) },
        { additionalProperties: false },
      ),
      members: GroupMembersChange,
      awaits: Type.Array(Step),
    },
    { additionalProperties: false },
  ),
  'A pushed group changed (name or members), its members as a delta; the membership consumer maps it to the workspace of the same name.',
);
export type GroupChanged = Static<typeof GroupChanged>;

/**
 * The first version carried the whole member list in every change (past ~20,000 members more
 * than one Kafka message holds). No longer published; still read, as a replacement of the members,
 * so that changes published before an upgrade are applied after it.
 */
export const GroupChangedV1 = Envelope(
  'roster.directory.group.changed.v1',
  Type.Object(
    {
      commandId: Type.String(),
      change: GROUP_CHANGES,
      sequence: Type.Integer({ minimum: 1, description: 'per-group, strictly increasing' }),
      group: Type.Object(
        {
          id: Type.String(),
          displayName: Type.String(),
          memberIds: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
      awaits: Type.Array(Step),
    },
    { additionalProperties: false },
  ),
  'Superseded by v2 (members as deltas): read, never published.',
);
export type GroupChangedV1 = Static<typeof GroupChangedV1>;

export const DIRECTORY_CHANGES = [UserChanged, GroupChanged, GroupChangedV1] as const;
