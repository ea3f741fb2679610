import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Envelope } from './envelope.ts';
import { TransferState } from './outcomes.ts';
import { License, OrgRole } from './scim/resources.ts';

/**
 * Lifecycle events for downstream services, published by the status service after folding:
 * exactly one event per real change, keyed by user, in order per user. This is the public,
 * versioned contract: fields are only ever added (optional); anything else is a new `.v2` type.
 */

const UserRef = {
  userId: Type.String(),
  userName: Type.String(),
};

const lifecycle = <Name extends string, Fields extends Record<string, TSchema>>(
  name: Name,
  fields: Fields,
  description: string,
) =>
  Envelope(
    `roster.lifecycle.${name}.v1` as const,
    Type.Object({ ...UserRef, ...fields }, { additionalProperties: false }),
    description,
  );

export const UserProvisioned = lifecycle(
  'user.provisioned',
  { email: Type.String(), active: Type.Boolean() },
  'A new account was provisioned from the IdP.',
);
export const UserUpdated = lifecycle(
  'user.updated',
  { changedAttributes: Type.Array(Type.String(), { minItems: 1 }) },
  'Profile attributes changed (names of the canonical SCIM attributes).',
);
export const UserDeactivated = lifecycle(
  'user.deactivated',
  { scimDeleted: Type.Boolean() },
  'The account was deactivated (active=false or SCIM DELETE); it is kept.',
);
export const UserReactivated = lifecycle('user.reactivated', {}, 'A deactivated account is active again.');
export const LicenseChanged = lifecycle(
  'user.license.changed',
  { from: Type.Union([License, Type.Null()]), to: Type.Union([License, Type.Null()]) },
  'The seat changed; null means no seat (released on deactivation).',
);
export const RoleChanged = lifecycle(
  'user.role.changed',
  { from: OrgRole, to: OrgRole },
  'The org role changed.',
);
export const WorkspaceMembershipAdded = lifecycle(
  'user.workspace.added',
  { workspaceId: Type.String(), workspaceName: Type.String() },
  'The user joined a workspace.',
);
export const WorkspaceMembershipRemoved = lifecycle(
  'user.workspace.removed',
  { workspaceId: Type.String(), workspaceName: Type.String() },
  'The user left a workspace.',
);
export const ContentTransferred = lifecycle(
  'user.content.transferred',
  {
    state: TransferState,
    toUserId: Type.String(),
    folder: Type.String(),
    itemsMoved: Type.Integer({ minimum: 0 }),
  },
  "The deactivated user's content now belongs to the oldest Organization Admin, in a folder named with the user's email.",
);

export const LIFECYCLE_EVENTS = [
  UserProvisioned,
  UserUpdated,
  UserDeactivated,
  UserReactivated,
  LicenseChanged,
  RoleChanged,
  WorkspaceMembershipAdded,
  WorkspaceMembershipRemoved,
  ContentTransferred,
] as const;
export type LifecycleEvent = Static<(typeof LIFECYCLE_EVENTS)[number]>;
