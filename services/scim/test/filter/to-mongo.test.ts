import { describe, expect, test } from 'vitest';
import { parseFilter } from '../../src/filter/parser.ts';
import { filterToMongo } from '../../src/filter/to-mongo.ts';

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const users = (text: string) => filterToMongo(parseFilter(text, 'User'), 'User');
const groups = (text: string) => filterToMongo(parseFilter(text, 'Group'), 'Group');

describe('filterToMongo shapes', () => {
  test.each([
    ['userName eq "BJensen@Example.com"', { userNameKey: { $eq: 'bjensen@example.com' } }],
    ['userName sw "BJ"', { userNameKey: { $regex: '^bj' } }],
    ['userName gt "m"', { userNameKey: { $gt: 'm' } }],
    ['externalId eq "AbC"', { 'resource.externalId': { $eq: 'AbC' } }],
    ['id eq "u-1"', { _id: { $eq: 'u-1' } }],
    ['title eq "Boss"', { 'resource.title': { $regex: '^Boss$(?!\n)', $options: 'i' } }],
    ['title co "a.b"', { 'resource.title': { $regex: 'a\\.b', $options: 'i' } }],
    ['title ew "x"', { 'resource.title': { $regex: 'x$(?!\n)', $options: 'i' } }],
    ['title ne "Boss"', { $nor: [{ 'resource.title': { $regex: '^Boss$(?!\n)', $options: 'i' } }] }],
    ['active eq false', { 'resource.active': { $eq: false } }],
    ['title pr', { 'resource.title': { $exists: true, $nin: [null, ''] } }],
    ['emails pr', { 'resource.emails.0': { $exists: true } }],
    [
      'emails.value pr',
      { 'resource.emails': { $elemMatch: { value: { $exists: true, $nin: [null, ''] } } } },
    ],
    ['emails eq "a@x.com"', { 'resource.emails.value': { $regex: '^a@x\\.com$(?!\n)', $options: 'i' } }],
    ['name.givenName eq "B"', { 'resource.name.givenName': { $regex: '^B$(?!\n)', $options: 'i' } }],
    [
      `${E}:department eq "R&D"`,
      { 'resource.enterprise.department': { $regex: '^R&D$(?!\n)', $options: 'i' } },
    ],
    [
      'meta.lastModified ge "2024-01-01T00:00:00Z"',
      { 'meta.lastModified': { $gte: '2024-01-01T00:00:00.000Z' } },
    ],
    ['meta.created lt "2024-01-01T00:00:00Z"', { 'meta.created': { $lt: '2024-01-01T00:00:00.000Z' } }],
    ['not (active eq true)', { $nor: [{ 'resource.active': { $eq: true } }] }],
    [
      'userName eq "a" or active eq true and title pr',
      {
        $or: [
          { userNameKey: { $eq: 'a' } },
          {
            $and: [
              { 'resource.active': { $eq: true } },
              { 'resource.title': { $exists: true, $nin: [null, ''] } },
            ],
          },
        ],
      },
    ],
    [
      'emails[type eq "work" and value co "@x.com"]',
      {
        'resource.emails': {
          $elemMatch: {
            $and: [
              { type: { $regex: '^work$(?!\n)', $options: 'i' } },
              { value: { $regex: '@x\\.com', $options: 'i' } },
            ],
          },
        },
      },
    ],
    ['name[givenName pr]', { 'resource.name.givenName': { $exists: true, $nin: [null, ''] } }],
  ])('%s', (text, expected) => {
    expect(users(text)).toEqual(expected);
  });

  // Filters on members: group-members.test.ts.
  test('groups', () => {
    expect(groups('displayName eq "Sales"')).toEqual({
      'resource.displayName': { $regex: '^Sales$(?!\n)', $options: 'i' },
    });
  });

  test.each([
    ['title gt "m"', 'not supported for case-insensitive'],
    ['meta.version eq "1"', 'cannot be used in filters'],
    [
      'urn:roster:params:scim:schemas:extension:provisioning:1.0:User:license eq "x"',
      'cannot be used in filters',
    ],
  ])('%s → invalidFilter', (text, detail) => {
    expect(() => users(text)).toThrowError(
      expect.objectContaining({ scimType: 'invalidFilter', detail: expect.stringContaining(detail) }),
    );
  });

  test('refs that did not come from the parser are checked against the schema', () => {
    const forged = {
      kind: 'compare' as const,
      path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: '$where' },
      op: 'eq' as const,
      value: '1',
    };
    expect(() => filterToMongo(forged, 'User')).toThrowError(
      expect.objectContaining({ scimType: 'invalidFilter' }),
    );
    const outsideElement = {
      kind: 'valuePath' as const,
      path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: 'emails' },
      filter: { ...forged, path: { schema: forged.path.schema, attribute: 'userName' } },
    };
    expect(() => filterToMongo(outsideElement, 'User')).toThrowError(
      expect.objectContaining({ scimType: 'invalidFilter' }),
    );
  });
});

/** Every key that starts with `$` anywhere in the query. */
const operatorsIn = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(operatorsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(key.startsWith('$') ? [key] : []),
    ...operatorsIn(inner),
  ]);
};
const ALLOWED = new Set([
  '$eq',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$regex',
  '$options',
  '$and',
  '$or',
  '$nor',
  '$exists',
  '$nin',
  '$elemMatch',
]);

describe('injection attempts', () => {
  test.each([
    String.raw`userName eq "{\"$gt\":\"\"}"`,
    String.raw`externalId eq "{\"$ne\":null}"`,
    'userName eq "$where"',
    'title co ".*"',
    'title sw "^(a+)+$"',
    'title ew "a|b"',
    String.raw`title eq "x\u0000"`,
    'emails[value co "$regex"]',
    String.raw`title co "\\"`,
    'externalId eq "$$ROOT"',
  ])('%s', (text) => {
    const query = users(text);
    expect(operatorsIn(query).every((op) => ALLOWED.has(op))).toBe(true);
    expect(JSON.stringify(Object.keys(query))).not.toContain('where');
  });

  test('regex metacharacters are escaped literally', () => {
    expect(users('title co ".*"')).toEqual({ 'resource.title': { $regex: '\\.\\*', $options: 'i' } });
    expect(users('title sw "^(a+)+$"')).toEqual({
      'resource.title': { $regex: '^\\^\\(a\\+\\)\\+\\$', $options: 'i' },
    });
    expect(users(String.raw`title eq "x\u0000"`)).toEqual({
      'resource.title': { $regex: '^x\\x00$(?!\n)', $options: 'i' },
    });
  });

  test.each([
    '$where eq "1"',
    'resource.$ne eq "1"',
    'userName.$gt eq "1"',
    '_id eq "1"',
    'resource.userName eq "1"',
  ])('attribute %s is rejected', (text) => {
    expect(() => users(text)).toThrowError(expect.objectContaining({ scimType: 'invalidFilter' }));
  });
});
