import type { Filter, GroupAttributes, UserAttributes } from '@roster/contracts';
import { Query } from 'mingo';
import { describe, expect, test } from 'vitest';
// The in-memory evaluator is the reference semantics for the MongoDB translation.
import { evaluateFilter } from '../../src/filter/evaluate.ts';
import { type GroupsOfMember, memberIdsNamed } from '../../src/filter/group-members.ts';
import { parseFilter } from '../../src/filter/parser.ts';
import { filterToMongo } from '../../src/filter/to-mongo.ts';
import type { ResourceTypeName } from '../../src/schemas/definitions.ts';

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const stored = (id: string, created: string, resource: UserAttributes) => ({
  _id: id,
  tenant: 't1',
  userNameKey: resource.userName.toLowerCase(),
  resource,
  meta: { created, lastModified: created, version: 1 },
});

const DOCUMENTS = [
  stored('u1', '2024-01-01T00:00:00.000Z', {
    userName: 'BJensen@Example.com',
    externalId: 'ext-1',
    active: true,
    title: 'Tour Guide',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@home.org', type: 'home' },
    ],
    userType: 'org-full-license',
    enterprise: { department: 'R&D', manager: { value: 'u2' } },
  }),
  stored('u2', '2024-06-01T12:00:00.000Z', {
    userName: 'jsmith',
    externalId: 'EXT-2',
    active: false,
    title: '',
    emails: [{ value: 'jsmith@x.com', type: 'home' }],
    enterprise: { department: 'Sales' },
  }),
  stored('u3', '2025-02-03T04:05:06.000Z', {
    userName: 'a.b+c@x.com',
    active: true,
    title: 'a.*b',
    emails: [],
    name: {},
    roles: [{ type: 'synthesia_role', value: 'organization-admin' }],
  }),
  stored('u4', '2023-12-31T23:59:59.999Z', {
    userName: 'line\nbreak',
    active: true,
    title: 'Tour\n',
    emails: [{ value: 'x@y.com' }],
  }),
];

const FILTERS = [
  'userName eq "bjensen@example.com"',
  'userName eq "BJENSEN@EXAMPLE.COM"',
  'userName ne "jsmith"',
  'userName co "."',
  'userName sw "a.b"',
  'userName ew "X.COM"',
  'userName gt "j"',
  'userName le "jsmith"',
  'userName eq "line"',
  'externalId eq "ext-2"',
  'externalId eq "EXT-2"',
  'externalId ne "ext-1"',
  'externalId pr',
  'externalId eq null',
  'id eq "u3"',
  'active eq true',
  'active ne true',
  'title pr',
  'title eq "tour guide"',
  'title eq "Tour"',
  'title co ".*"',
  'title sw "TOUR"',
  'title ew "guide"',
  'title ne "tour guide"',
  'name pr',
  'name.givenName pr',
  'name.givenName sw "bar"',
  'emails pr',
  'emails.value pr',
  'emails.type eq "work"',
  'emails eq "JSMITH@X.COM"',
  'emails co "@x.com"',
  'emails ne "x@y.com"',
  'emails[type eq "work" and value co "example"]',
  'emails[type eq "home" and value co "example"]',
  'emails[not (type pr)]',
  'emails[type eq "home" or primary eq true]',
  'emails.type eq "home" and emails.value co "example"',
  'roles[type eq "synthesia_role" and value eq "organization-admin"]',
  `${E}:department eq "r&d"`,
  `${E}:manager.value eq "u2"`,
  `${E}:manager.value eq "U2"`,
  'userType eq "org-full-license"',
  'meta.created gt "2024-01-01T00:00:00Z"',
  'meta.created ge "2024-01-01T00:00:00Z"',
  'meta.lastModified lt "2024-06-01T12:00:00.000+00:00"',
  'meta.created le "2024-06-01"',
  'not (userName eq "jsmith") and active eq true',
  'userName eq "jsmith" or active eq true and title pr',
  '(userName eq "jsmith" or active eq true) and title pr',
  'not (emails[type eq "work"] or title co "a")',
];

type StoredDocument = {
  _id: string;
  resource: object;
  meta: { created: string; lastModified: string };
};

/** How a store answers what its documents do not hold: a group's members are documents of their own. */
interface Store {
  /** The resource a document stores, as SCIM shows it. */
  resourceOf?: (doc: StoredDocument) => object;
  groupsOfMember?: (filter: Filter) => GroupsOfMember;
}

/** The ids each side selects: MongoDB (mingo) over stored documents, evaluateFilter over resources. */
const selections = (
  documents: readonly StoredDocument[],
  text: string,
  resourceType: ResourceTypeName,
  { resourceOf = (doc) => doc.resource, groupsOfMember = () => new Map() }: Store = {},
) => {
  const filter = parseFilter(text, resourceType);
  const query = new Query(filterToMongo(filter, resourceType, groupsOfMember(filter)), {});
  const ids = (predicate: (doc: StoredDocument) => boolean) =>
    documents.filter(predicate).map((doc) => doc._id);
  return {
    mongo: ids((doc) => query.test(doc)),
    evaluator: ids((doc) =>
      evaluateFilter(filter, { id: doc._id, meta: doc.meta, ...resourceOf(doc) }, resourceType),
    ),
  };
};

/** How many of the filters select some of the documents but not all of them. */
const partialSelections = (
  documents: readonly StoredDocument[],
  filters: readonly string[],
  resourceType: ResourceTypeName,
  store?: Store,
) =>
  filters
    .map((text) => selections(documents, text, resourceType, store).evaluator)
    .filter((ids) => ids.length > 0 && ids.length < documents.length).length;

describe('the MongoDB query selects exactly what evaluateFilter selects', () => {
  test.each(FILTERS)('%s', (text) => {
    const { mongo, evaluator } = selections(DOCUMENTS, text, 'User');
    expect(mongo).toEqual(evaluator);
  });

  test('the fixtures exercise both outcomes', () => {
    expect(partialSelections(DOCUMENTS, FILTERS, 'User')).toBeGreaterThan(40);
  });
});

const GROUP_META = {
  created: '2024-01-01T00:00:00.000Z',
  lastModified: '2024-01-01T00:00:00.000Z',
  version: 1,
};
const GROUPS: Record<string, GroupAttributes> = {
  g1: { displayName: 'Sales EMEA', members: [{ value: 'u1' }, { value: 'u2', display: 'J' }] },
  g2: { displayName: 'sales emea', externalId: 'X', members: [] },
  g3: { displayName: 'Engineering', members: [{ value: 'U1' }, { value: 'u2' }] },
};
/** Stored as the status service stores a group: without its members, with their count. */
const GROUP_DOCUMENTS = Object.entries(GROUPS).map(([id, { members, ...properties }]) => ({
  _id: id,
  tenant: 't1',
  resource: properties,
  memberCount: members.length,
  meta: GROUP_META,
}));
const GROUP_STORE: Store = {
  resourceOf: (doc) => GROUPS[doc._id]!,
  // what the ingress reads from the member documents before translating
  groupsOfMember: (filter) =>
    new Map(
      memberIdsNamed(filter).map((userId) => [
        userId,
        Object.keys(GROUPS).filter((id) => GROUPS[id]!.members.some((member) => member.value === userId)),
      ]),
    ),
};

const GROUP_FILTERS = [
  'displayName eq "Sales EMEA"',
  'displayName eq "SALES emea"',
  'displayName sw "eng"',
  'externalId eq "X"',
  'externalId eq "x"',
  'members pr',
  'not (members pr)',
  'members eq "u1"',
  'members.value eq "U1"',
  'members[value eq "u1"]',
  'members[value eq "U1" or value eq "nobody"]',
  'members eq "nobody"',
  'not (members eq "u2")',
  'members.value eq "u2" and displayName sw "sales"',
  'members eq "u1" or externalId eq "X"',
];

describe('groups: the MongoDB query selects exactly what evaluateFilter selects', () => {
  test.each(GROUP_FILTERS)('%s', (text) => {
    const { mongo, evaluator } = selections(GROUP_DOCUMENTS, text, 'Group', GROUP_STORE);
    expect(mongo).toEqual(evaluator);
  });

  test('the fixtures exercise both outcomes', () => {
    expect(partialSelections(GROUP_DOCUMENTS, GROUP_FILTERS, 'Group', GROUP_STORE)).toBeGreaterThan(10);
  });
});
