import { type Static, Type } from '@sinclair/typebox';

/**
 * Canonical (normalized) SCIM resources as they travel in commands and sit in the directory:
 * canonical attribute names, real JSON types (no "True" strings), no `schemas`/`meta`/`id`
 * (those are server-assigned), extension attributes under short keys (`enterprise`) because
 * schema URNs contain dots that MongoDB field paths cannot hold.
 */

export const LICENSES = ['org-full-license', 'org-free-license', 'org-restricted-license'] as const;
export const License = Type.Union(
  LICENSES.map((l) => Type.Literal(l)),
  { description: 'Roster license, carried in SCIM `userType`' },
);
export type License = Static<typeof License>;

export const ORGANIZATION_ADMIN_ROLE = 'organization-admin';
export const OrgRole = Type.Union([Type.Literal('organization-admin'), Type.Literal('member')]);
export type OrgRole = Static<typeof OrgRole>;

const MultiValued = <Extra extends Record<string, ReturnType<typeof Type.String>>>(extra: Extra) =>
  Type.Object(
    {
      value: Type.String(),
      type: Type.Optional(Type.String()),
      primary: Type.Optional(Type.Boolean()),
      display: Type.Optional(Type.String()),
      ...extra,
    },
    { additionalProperties: false },
  );

export const Email = MultiValued({});
export const PhoneNumber = MultiValued({});
export const Photo = MultiValued({});
export const Role = MultiValued({});
export const Address = Type.Object(
  {
    formatted: Type.Optional(Type.String()),
    streetAddress: Type.Optional(Type.String()),
    locality: Type.Optional(Type.String()),
    region: Type.Optional(Type.String()),
    postalCode: Type.Optional(Type.String()),
    country: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    primary: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const Name = Type.Object(
  {
    formatted: Type.Optional(Type.String()),
    familyName: Type.Optional(Type.String()),
    givenName: Type.Optional(Type.String()),
    middleName: Type.Optional(Type.String()),
    honorificPrefix: Type.Optional(Type.String()),
    honorificSuffix: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const EnterpriseUser = Type.Object(
  {
    employeeNumber: Type.Optional(Type.String()),
    costCenter: Type.Optional(Type.String()),
    organization: Type.Optional(Type.String()),
    division: Type.Optional(Type.String()),
    department: Type.Optional(Type.String()),
    manager: Type.Optional(
      Type.Object(
        { value: Type.Optional(Type.String()), displayName: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const UserAttributes = Type.Object(
  {
    userName: Type.String({ minLength: 1 }),
    externalId: Type.Optional(Type.String()),
    name: Type.Optional(Name),
    displayName: Type.Optional(Type.String()),
    nickName: Type.Optional(Type.String()),
    profileUrl: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    userType: Type.Optional(License),
    preferredLanguage: Type.Optional(Type.String()),
    locale: Type.Optional(Type.String()),
    timezone: Type.Optional(Type.String()),
    active: Type.Boolean(),
    emails: Type.Optional(Type.Array(Email)),
    phoneNumbers: Type.Optional(Type.Array(PhoneNumber)),
    addresses: Type.Optional(Type.Array(Address)),
    photos: Type.Optional(Type.Array(Photo)),
    roles: Type.Optional(Type.Array(Role)),
    enterprise: Type.Optional(EnterpriseUser),
  },
  { additionalProperties: false, $id: 'UserAttributes' },
);
export type UserAttributes = Static<typeof UserAttributes>;

export const GroupMember = Type.Object(
  { value: Type.String({ minLength: 1 }), display: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export const GroupAttributes = Type.Object(
  {
    displayName: Type.String({ minLength: 1 }),
    externalId: Type.Optional(Type.String()),
    members: Type.Array(GroupMember),
  },
  { additionalProperties: false, $id: 'GroupAttributes' },
);
export type GroupAttributes = Static<typeof GroupAttributes>;
