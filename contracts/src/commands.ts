import { type Static, Type } from '@sinclair/typebox';
import { Envelope } from './envelope.ts';
import { PatchOperation } from './scim/filter.ts';
import { GroupAttributes, UserAttributes } from './scim/resources.ts';

/**
 * Commands: what the ingress asks the directory (status service) to do, one per SCIM write.
 * They are normalized — no IdP quirk survives: attribute names are canonical, booleans are
 * booleans, PATCH operations are parsed and expanded. The status service decides each one
 * (accept or reject) and answers with a command result.
 */

export const Actor = Type.Object(
  {
    kind: Type.Union([Type.Literal('scim-token'), Type.Literal('admin')]),
    id: Type.String({ description: 'token id (never the token itself)' }),
    client: Type.Optional(Type.String({ description: 'IdP guessed from the User-Agent, e.g. okta, entra' })),
  },
  { additionalProperties: false },
);
export type Actor = Static<typeof Actor>;

const CommandContext = {
  actor: Actor,
  ifMatch: Type.Optional(Type.String({ description: 'the If-Match ETag the IdP sent, verbatim' })),
};

const commandType = <Name extends string>(name: Name) => `roster.command.${name}.v1` as const;

export const UserCreate = Envelope(
  commandType('user.create'),
  Type.Object({ ...CommandContext, user: UserAttributes }, { additionalProperties: false }),
  'POST /Users. The subject is the id the ingress allocated; re-provisioning a known userName/externalId reactivates that account instead.',
);
export const UserReplace = Envelope(
  commandType('user.replace'),
  Type.Object({ ...CommandContext, user: UserAttributes }, { additionalProperties: false }),
  'PUT /Users/{id}: the whole resource.',
);
export const UserPatch = Envelope(
  commandType('user.patch'),
  Type.Object(
    { ...CommandContext, operations: Type.Array(PatchOperation, { minItems: 1 }) },
    { additionalProperties: false },
  ),
  'PATCH /Users/{id} with normalized operations.',
);
export const UserDeactivate = Envelope(
  commandType('user.deactivate'),
  Type.Object({ ...CommandContext }, { additionalProperties: false }),
  'A PATCH or PUT whose only change is active=false (Okta and Entra deprovisioning).',
);
export const UserReactivate = Envelope(
  commandType('user.reactivate'),
  Type.Object({ ...CommandContext }, { additionalProperties: false }),
  'A PATCH whose only change is active=true.',
);
export const UserDelete = Envelope(
  commandType('user.delete'),
  Type.Object({ ...CommandContext }, { additionalProperties: false }),
  'DELETE /Users/{id}: deactivates and removes the SCIM resource; the account is kept.',
);

export const GroupCreate = Envelope(
  commandType('group.create'),
  Type.Object({ ...CommandContext, group: GroupAttributes }, { additionalProperties: false }),
  'POST /Groups (a pushed group).',
);
export const GroupReplace = Envelope(
  commandType('group.replace'),
  Type.Object({ ...CommandContext, group: GroupAttributes }, { additionalProperties: false }),
  'PUT /Groups/{id}.',
);
export const GroupPatch = Envelope(
  commandType('group.patch'),
  Type.Object(
    { ...CommandContext, operations: Type.Array(PatchOperation, { minItems: 1 }) },
    { additionalProperties: false },
  ),
  'PATCH /Groups/{id}: rename and member add/remove/replace as normalized operations on `members` (Entra value-list removal becomes a `value eq` filter).',
);
export const GroupDelete = Envelope(
  commandType('group.delete'),
  Type.Object({ ...CommandContext }, { additionalProperties: false }),
  'DELETE /Groups/{id}: members leave the linked workspace; the workspace itself stays.',
);

export const COMMANDS = [
  UserCreate,
  UserReplace,
  UserPatch,
  UserDeactivate,
  UserReactivate,
  UserDelete,
  GroupCreate,
  GroupReplace,
  GroupPatch,
  GroupDelete,
] as const;

export type UserCreate = Static<typeof UserCreate>;
export type UserReplace = Static<typeof UserReplace>;
export type UserPatch = Static<typeof UserPatch>;
export type UserDeactivate = Static<typeof UserDeactivate>;
export type UserReactivate = Static<typeof UserReactivate>;
export type UserDelete = Static<typeof UserDelete>;
export type GroupCreate = Static<typeof GroupCreate>;
export type GroupReplace = Static<typeof GroupReplace>;
export type GroupPatch = Static<typeof GroupPatch>;
export type GroupDelete = Static<typeof GroupDelete>;
export type Command = Static<(typeof COMMANDS)[number]>;
