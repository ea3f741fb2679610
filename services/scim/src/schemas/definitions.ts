import { LICENSES, OrgRole, SCHEMA } from '@roster/contracts';

/**
 * RFC 7643 schema resources, served at /Schemas: every attribute of every resource type with its
 * characteristics. attribute-lookup.ts resolves names against them.
 */

export const SCHEMA_RESOURCE_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

export interface SchemaDefinition {
  readonly schemas: readonly [typeof SCHEMA_RESOURCE_URN];
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

export type ResourceTypeName = 'User' | 'Group';

type Characteristics = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

/** An attribute with the RFC 7643 §2.2 defaults for every characteristic not given. */
const attribute = (
  name: string,
  type: AttributeType,
  description: string,
  characteristics: Characteristics = {},
): AttributeDefinition => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...characteristics,
});

const text = (name: string, description: string, characteristics?: Characteristics) =>
  attribute(name, 'string', description, characteristics);

const complex = (
  name: string,
  description: string,
  subAttributes: readonly AttributeDefinition[],
  characteristics: Characteristics = {},
) => attribute(name, 'complex', description, { ...characteristics, subAttributes });

/** The RFC 7643 §2.4 multi-valued pattern: value, display, type, primary. */
const multiValued = (
  name: string,
  description: string,
  value: { type?: AttributeType; referenceTypes?: readonly string[]; types?: readonly string[] } = {},
) =>
  complex(
    name,
    description,
    [
      attribute(
        'value',
        value.type ?? 'string',
        `The value of the ${name} entry.`,
        value.referenceTypes ? { referenceTypes: value.referenceTypes } : {},
      ),
      text('display', 'A human-readable name, primarily used for display purposes.'),
      text(
        'type',
        'A label indicating the function of the entry.',
        value.types ? { canonicalValues: value.types } : {},
      ),
      attribute('primary', 'boolean', 'Whether this is the preferred entry; at most one entry is primary.'),
    ],
    { multiValued: true },
  );

const readOnly = (definition: AttributeDefinition): AttributeDefinition => ({
  ...definition,
  mutability: 'readOnly',
  ...(definition.subAttributes ? { subAttributes: definition.subAttributes.map(readOnly) } : {}),
});

const schemaResource = (
  id: string,
  name: string,
  description: string,
  attributes: readonly AttributeDefinition[],
): SchemaDefinition => ({ schemas: [SCHEMA_RESOURCE_URN], id, name, description, attributes });

/** id, externalId and meta (RFC 7643 §3.1): on every resource, in no schema's attribute list. */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  text('id', 'Unique identifier of the resource, assigned by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  text('externalId', 'Identifier of the resource as defined by the provisioning client.', {
    caseExact: true,
  }),
  readOnly(
    complex('meta', 'Resource metadata.', [
      text('resourceType', 'The name of the resource type of the resource.', { caseExact: true }),
      attribute('created', 'dateTime', 'When the resource was added to the service provider.'),
      attribute('lastModified', 'dateTime', 'When the resource was last updated.'),
      attribute('location', 'reference', 'The URI of the resource.', { referenceTypes: ['uri'] }),
      text('version', 'The version (ETag) of the resource.', { caseExact: true }),
    ]),
  ),
];

export const USER_SCHEMA = schemaResource(SCHEMA.user, 'User', 'User Account', [
  text('userName', 'Unique identifier for the User, used to authenticate; unique per organization.', {
    required: true,
    uniqueness: 'server',
  }),
  complex('name', "The components of the user's real name.", [
    text('formatted', 'The full name, formatted for display.'),
    text('familyName', 'The family name of the User.'),
    text('givenName', 'The given name of the User.'),
    text('middleName', 'The middle name(s) of the User.'),
    text('honorificPrefix', 'The honorific prefix(es) of the User.'),
    text('honorificSuffix', 'The honorific suffix(es) of the User.'),
  ]),
  text('displayName', 'The name of the User, suitable for display to end-users.'),
  text('nickName', 'The casual way to address the user.'),
  attribute('profileUrl', 'reference', "A fully qualified URL pointing to the User's online profile.", {
    referenceTypes: ['external'],
  }),
  text('title', "The user's title, such as 'Vice President'."),
  text('userType', 'The Roster license of the user; absent means the default workspace license.', {
    canonicalValues: LICENSES,
  }),
  text('preferredLanguage', "The User's preferred written or spoken language (RFC 7231 Accept-Language)."),
  text('locale', "The User's default location for localization (e.g. 'en-US')."),
  text('timezone', "The User's time zone in IANA format (e.g. 'Europe/Berlin')."),
  attribute('active', 'boolean', "The User's administrative status; false deactivates the account."),
  multiValued('emails', 'Email addresses for the user.', { types: ['work', 'home', 'other'] }),
  multiValued('phoneNumbers', 'Phone numbers for the User.', {
    types: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
  }),
  complex(
    'addresses',
    'A physical mailing address for this User.',
    [
      text('formatted', 'The full mailing address, formatted for display.'),
      text('streetAddress', 'The full street address component.'),
      text('locality', 'The city or locality component.'),
      text('region', 'The state or region component.'),
      text('postalCode', 'The zip code or postal code component.'),
      text('country', 'The country name component (ISO 3166-1 alpha-2).'),
      text('type', 'A label indicating the function of the address.', {
        canonicalValues: ['work', 'home', 'other'],
      }),
      attribute('primary', 'boolean', 'Whether this is the primary address.'),
    ],
    { multiValued: true },
  ),
  multiValued('photos', 'URLs of photos of the User; the primary photo is the profile picture.', {
    type: 'reference',
    referenceTypes: ['external'],
    types: ['photo', 'thumbnail'],
  }),
  multiValued(
    'roles',
    'Roles of the User. Entries whose type is the organization role type (default "synthesia_role") accept only the value "organization-admin"; entries of other types are kept without effect.',
  ),
]);

export const GROUP_SCHEMA = schemaResource(SCHEMA.group, 'Group', 'Group', [
  text(
    'displayName',
    'The name of the Group, unique per organization and compared exactly; it links to the workspace with exactly this name (case and spaces included).',
    { required: true, uniqueness: 'server' },
  ),
  complex(
    'members',
    'A list of members of the Group.',
    [
      // Member ids are resource ids, which are case-exact like `id` itself.
      text('value', 'Identifier of the member of this Group.', { caseExact: true, mutability: 'immutable' }),
      attribute('$ref', 'reference', 'The URI of the member resource.', {
        referenceTypes: ['User', 'Group'],
        mutability: 'immutable',
      }),
      text('display', 'A human-readable name of the member.', { mutability: 'immutable' }),
      text('type', 'The type of the member.', {
        canonicalValues: ['User', 'Group'],
        mutability: 'immutable',
      }),
    ],
    { multiValued: true },
  ),
]);

export const ENTERPRISE_USER_SCHEMA = schemaResource(
  SCHEMA.enterpriseUser,
  'EnterpriseUser',
  'Enterprise User',
  [
    text('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
    text('costCenter', 'Identifies the name of a cost center.'),
    text('organization', 'Identifies the name of an organization.'),
    text('division', 'Identifies the name of a division.'),
    text('department', 'Identifies the name of a department.'),
    complex('manager', "The User's manager.", [
      text('value', 'The id of the SCIM resource representing the manager.'),
      attribute('$ref', 'reference', 'The URI of the SCIM resource representing the manager.', {
        referenceTypes: ['User'],
      }),
      text('displayName', 'The displayName of the manager.', { mutability: 'readOnly' }),
    ]),
  ],
);

export const ROSTER_USER_SCHEMA = schemaResource(
  SCHEMA.rosterUser,
  'RosterProvisioning',
  'Read-only provisioning state of the user in Roster',
  [
    text('license', 'The license in effect.', { canonicalValues: LICENSES }),
    text('role', 'The organization role in effect.', {
      canonicalValues: OrgRole.anyOf.map((literal) => literal.const),
    }),
    text('workspaces', 'Names of the workspaces the user is a member of.', {
      multiValued: true,
      caseExact: true,
    }),
    complex('contentTransfer', "Transfer of a deprovisioned user's content.", [
      text('state', 'State of the transfer.'),
      text('toUserId', 'The id of the user receiving the content.', { caseExact: true }),
      text('folder', 'The folder the content is transferred into.', { caseExact: true }),
    ]),
    complex(
      'steps',
      'Provisioning steps and their outcomes.',
      [
        text('name', 'The step.'),
        text('state', 'The outcome of the step.'),
        text('detail', 'Details, e.g. why a step failed.'),
        attribute('updated', 'dateTime', 'When the outcome was recorded.'),
      ],
      { multiValued: true },
    ),
  ].map(readOnly),
);

export const ROSTER_GROUP_SCHEMA = schemaResource(
  SCHEMA.rosterGroup,
  'RosterWorkspaceLink',
  'Read-only link of the group to the workspace of the same name',
  [
    text('linkedWorkspaceId', 'The id of the linked workspace, absent while unlinked.', { caseExact: true }),
    text('linkState', 'Whether a workspace named exactly like the group exists.', {
      canonicalValues: ['linked', 'unlinked'],
    }),
  ].map(readOnly),
);

/** The core schema and the extensions of each resource type, core first. */
export const RESOURCE_SCHEMAS: Readonly<Record<ResourceTypeName, readonly SchemaDefinition[]>> = {
  User: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, ROSTER_USER_SCHEMA],
  Group: [GROUP_SCHEMA, ROSTER_GROUP_SCHEMA],
};

export const ALL_SCHEMAS: readonly SchemaDefinition[] = [
  USER_SCHEMA,
  GROUP_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  ROSTER_USER_SCHEMA,
  ROSTER_GROUP_SCHEMA,
];
