import { type Static, Type } from '@sinclair/typebox';
import { Envelope } from './envelope.ts';
import { License } from './scim/resources.ts';

/**
 * Directory changes: the status service's accepted decisions, fanned out to the step consumers
 * (licensing, membership, content transfer). Each carries the full snapshot the consumers need,
 * so every consumer converges on state rather than replaying deltas, and a per-resource
 * `sequence` that only grows: a consumer applies a change only if its sequence is newer than the
 * one it recorded, in the same atomic MongoDB write (redelivery changes nothing twice).
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

export const GroupChanged = Envelope(
  'roster.directory.group.changed.v1',
  Type.Object(
    {
      commandId: Type.String(),
      change: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('deleted')]),
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
  'A pushed group changed (name or members); the membership consumer maps it to the workspace of the same name.',
);
export type GroupChanged = Static<typeof GroupChanged>;

export const DIRECTORY_CHANGES = [UserChanged, GroupChanged] as const;
