import { type Filter, SCHEMA } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { parseFilter, parsePatchPath } from '../../src/filter/parser.ts';

const U = SCHEMA.user;
const G = SCHEMA.group;
const E = SCHEMA.enterpriseUser;
const userName = { schema: U, attribute: 'userName' };
const title = { schema: U, attribute: 'title' };
const active = { schema: U, attribute: 'active' };
const eq = (
  path: { schema: string; attribute: string; subAttribute?: string },
  value: string | boolean,
): Filter => ({
  kind: 'compare',
  path,
  op: 'eq',
  value,
});

describe('parseFilter: operators', () => {
  test.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const)('%s', (op) => {
    expect(parseFilter(`userName ${op} "bjensen"`, 'User')).toEqual({
      kind: 'compare',
      path: userName,
      op,
      value: 'bjensen',
    });
  });

  test('pr', () => {
    expect(parseFilter('title pr', 'User')).toEqual({ kind: 'present', path: title });
  });

  test('operators, keywords and attribute names are case-insensitive', () => {
    expect(parseFilter('USERNAME EQ "X" AND Active Eq TRUE', 'User')).toEqual({
      kind: 'and',
      left: eq(userName, 'X'),
      right: eq(active, true),
    });
  });

  test('booleans, null', () => {
    expect(parseFilter('active eq false', 'User')).toEqual(eq(active, false));
    expect(parseFilter('title eq null', 'User')).toEqual({
      kind: 'not',
      filter: { kind: 'present', path: title },
    });
    expect(parseFilter('title ne null', 'User')).toEqual({ kind: 'present', path: title });
  });

  test('JSON string escapes', () => {
    expect(parseFilter(String.raw`userName eq "a\"b\\c\u00e9\n"`, 'User')).toEqual(eq(userName, 'a"b\\cé\n'));
  });

  test('dateTime literals are normalized to ISO-8601 UTC', () => {
    expect(parseFilter('meta.lastModified gt "2011-05-13T04:42:34+02:00"', 'User')).toEqual({
      kind: 'compare',
      path: { schema: U, attribute: 'meta', subAttribute: 'lastModified' },
      op: 'gt',
      value: '2011-05-13T02:42:34.000Z',
    });
  });
});

describe('parseFilter: logic', () => {
  const a = eq(userName, 'a');
  const b = eq(title, 'b');
  const c = eq(active, true);

  test.each([
    [
      'userName eq "a" or title eq "b" and active eq true',
      { kind: 'or', left: a, right: { kind: 'and', left: b, right: c } },
    ],
    [
      'userName eq "a" and title eq "b" or active eq true',
      { kind: 'or', left: { kind: 'and', left: a, right: b }, right: c },
    ],
    [
      '(userName eq "a" or title eq "b") and active eq true',
      { kind: 'and', left: { kind: 'or', left: a, right: b }, right: c },
    ],
    ['not (userName eq "a") and title eq "b"', { kind: 'and', left: { kind: 'not', filter: a }, right: b }],
    ['not(userName eq "a" or title eq "b")', { kind: 'not', filter: { kind: 'or', left: a, right: b } }],
    [
      'userName eq "a" or title eq "b" or active eq true',
      { kind: 'or', left: { kind: 'or', left: a, right: b }, right: c },
    ],
    ['((userName eq "a"))', a],
  ] as const)('%s', (text, expected) => {
    expect(parseFilter(text, 'User')).toEqual(expected);
  });
});

describe('parseFilter: paths', () => {
  test('valuePath with sub-attributes, fully qualified inside', () => {
    expect(parseFilter('emails[type eq "work" and value co "@x.com"]', 'User')).toEqual({
      kind: 'valuePath',
      path: { schema: U, attribute: 'emails' },
      filter: {
        kind: 'and',
        left: eq({ schema: U, attribute: 'emails', subAttribute: 'type' }, 'work'),
        right: {
          kind: 'compare',
          path: { schema: U, attribute: 'emails', subAttribute: 'value' },
          op: 'co',
          value: '@x.com',
        },
      },
    });
  });

  test.each([
    ['name.familyName eq "J"', { schema: U, attribute: 'name', subAttribute: 'familyName' }],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "J"',
      { schema: U, attribute: 'name', subAttribute: 'familyName' },
    ],
    [`${E}:department eq "J"`, { schema: E, attribute: 'department' }],
    [`${E.toUpperCase()}:DEPARTMENT eq "J"`, { schema: E, attribute: 'department' }],
    [`${E}:manager.value eq "J"`, { schema: E, attribute: 'manager', subAttribute: 'value' }],
    ['emails eq "J"', { schema: U, attribute: 'emails', subAttribute: 'value' }],
    ['externalId eq "J"', { schema: U, attribute: 'externalId' }],
    ['id eq "J"', { schema: U, attribute: 'id' }],
  ])('%s', (text, path) => {
    expect(parseFilter(text, 'User')).toEqual(eq(path, 'J'));
  });

  test('groups', () => {
    expect(parseFilter('displayName eq "Sales EMEA"', 'Group')).toEqual(
      eq({ schema: G, attribute: 'displayName' }, 'Sales EMEA'),
    );
    expect(parseFilter('members[value eq "u1"]', 'Group')).toEqual({
      kind: 'valuePath',
      path: { schema: G, attribute: 'members' },
      filter: eq({ schema: G, attribute: 'members', subAttribute: 'value' }, 'u1'),
    });
  });
});

describe('parseFilter: invalid filters → 400 invalidFilter', () => {
  test.each([
    ['', 'Expected an attribute path'],
    ['userName', 'Expected an operator'],
    ['userName eq', 'Expected a value'],
    ['userName eq "a" extra', 'Expected end of input'],
    ['userName equals "a"', "Unknown operator 'equals'"],
    ['nope eq "a"', "Unknown attribute 'nope'"],
    ['$where eq "1"', "Unknown attribute '$where'"],
    ['userName eq {"$gt": ""}', "An unquoted value cannot contain '\"'"],
    ['resource.$ne eq "1"', "Unknown attribute 'resource.$ne'"],
    ['userName eq "unterminated', 'Unterminated string'],
    [String.raw`userName eq "\x"`, 'Invalid string literal'],
    ['(userName eq "a"', "Expected ')'"],
    ['userName eq "a")', 'Expected end of input'],
    ['not userName eq "a"', "Expected '(' after 'not'"],
    ['active gt true', "Operator 'gt' is not supported for boolean"],
    ['active co "t"', "Operator 'co' is not supported for boolean"],
    ['active eq "true"', 'cannot be compared'],
    ['userName eq 42', 'cannot be compared'],
    ['userName gt null', 'with null'],
    ['name eq "x"', "Operator 'eq' is not supported for complex"],
    ['meta.created gt "yesterday"', 'is not one'],
    ['meta.created co "2020"', "Operator 'co' is not supported for dateTime"],
    ['emails[type eq "work"', "Expected ']'"],
    ['emails[nope eq "work"]', "Unknown attribute 'nope' for 'emails'"],
    ['emails[emails.value eq "work"]', "must be a sub-attribute name of 'emails'"],
    ['userName[value eq "x"]', 'not a complex attribute'],
    ['emails.value[value eq "x"]', 'must follow a top-level attribute'],
    ['members eq "x"', "Unknown attribute 'members'"],
  ])('%s', (text, detail) => {
    expect(() => parseFilter(text, 'User')).toThrowError(
      expect.objectContaining({
        httpStatus: 400,
        scimType: 'invalidFilter',
        detail: expect.stringContaining(detail),
      }),
    );
  });

  test('an injection attempt stays a string literal', () => {
    expect(parseFilter(String.raw`userName eq "{\"$gt\":\"\"}"`, 'User')).toEqual(eq(userName, '{"$gt":""}'));
  });
});

describe('parsePatchPath', () => {
  test.each([
    ['active', { schema: U, attribute: 'active' }],
    ['name.givenName', { schema: U, attribute: 'name', subAttribute: 'givenName' }],
    [`${E}:department`, { schema: E, attribute: 'department' }],
    [`${E}:manager`, { schema: E, attribute: 'manager' }],
    [
      'emails[type eq "work"].value',
      {
        schema: U,
        attribute: 'emails',
        valueFilter: eq({ schema: U, attribute: 'emails', subAttribute: 'type' }, 'work'),
        subAttribute: 'value',
      },
    ],
    [
      'EMAILS[TYPE eq "work"]',
      {
        schema: U,
        attribute: 'emails',
        valueFilter: eq({ schema: U, attribute: 'emails', subAttribute: 'type' }, 'work'),
      },
    ],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text, 'User')).toEqual(expected);
  });

  test('members[value eq "…"] on groups', () => {
    expect(parsePatchPath('members[value eq "2819c223"]', 'Group')).toEqual({
      schema: G,
      attribute: 'members',
      valueFilter: eq({ schema: G, attribute: 'members', subAttribute: 'value' }, '2819c223'),
    });
  });

  test.each([
    'nope',
    'emails[type eq "work"',
    'emails[type eq "work"].nope',
    'emails[type eq "work"] extra',
    'name.givenName[value eq "x"]',
    'emails[type zz "work"]',
    '',
  ])('%s → 400 invalidPath', (text) => {
    expect(() => parsePatchPath(text, 'User')).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType: 'invalidPath' }),
    );
  });
});
