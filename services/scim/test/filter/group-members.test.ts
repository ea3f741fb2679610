import { describe, expect, test } from 'vitest';
import { memberIdsNamed } from '../../src/filter/group-members.ts';
import { parseFilter } from '../../src/filter/parser.ts';
import { filterToMongo } from '../../src/filter/to-mongo.ts';

const SALES = { 'resource.displayName': { $regex: '^Sales$(?!\n)', $options: 'i' } };

/** What the caller reads before translating: the groups each named user is a member of. */
const GROUPS_OF_MEMBER = new Map([
  ['u1', ['g1', 'g2']],
  ['u2', ['g2', 'g3']],
  ['lonely', []],
]);

const groups = (text: string) => filterToMongo(parseFilter(text, 'Group'), 'Group', GROUPS_OF_MEMBER);
const namedIds = (text: string) => memberIdsNamed(parseFilter(text, 'Group')).sort();

describe('memberIdsNamed: the users whose groups the caller looks up', () => {
  test.each([
    ['members.value eq "u1"', ['u1']],
    ['members eq "u1"', ['u1']],
    ['members[value eq "u1" or value eq "u2"]', ['u1', 'u2']],
    ['not (members eq "u1") and displayName eq "Sales"', ['u1']],
    ['members eq "u1" or members[value eq "u2"]', ['u1', 'u2']],
    ['members pr', []],
    ['displayName eq "Sales"', []],
  ])('%s → %j', (text, ids) => {
    expect(namedIds(text)).toEqual(ids);
  });
});

describe('a member filter becomes a condition on group ids', () => {
  test.each([
    ['members.value eq "u1"', { _id: { $in: ['g1', 'g2'] } }],
    ['members eq "u1"', { _id: { $in: ['g1', 'g2'] } }],
    ['Members.Value eq "u1"', { _id: { $in: ['g1', 'g2'] } }],
    // each group once, however many of the named users it holds
    ['members[value eq "u1" or value eq "u2"]', { _id: { $in: ['g1', 'g2', 'g3'] } }],
    ['members eq "lonely"', { _id: { $in: [] } }],
    ['not (members eq "u1")', { $nor: [{ _id: { $in: ['g1', 'g2'] } }] }],
    ['members eq "u2" and displayName eq "Sales"', { $and: [{ _id: { $in: ['g2', 'g3'] } }, SALES] }],
    ['members pr', { memberCount: { $gt: 0 } }],
    ['members.value pr', { memberCount: { $gt: 0 } }],
    ['not (members pr)', { $nor: [{ memberCount: { $gt: 0 } }] }],
  ])('%s', (text, expected) => {
    expect(groups(text)).toEqual(expected);
  });

  test('a user the caller did not look up selects no group', () => {
    expect(filterToMongo(parseFilter('members eq "u1"', 'Group'), 'Group')).toEqual({ _id: { $in: [] } });
  });

  test.each([
    'members.display eq "Ada"',
    'members.display pr',
    'members.value co "u"',
    'members.value sw "u"',
    'members.value ne "u1"',
    'members.type eq "User"',
    'members.$ref eq "x"',
    'members[display eq "Ada"]',
    'members[value co "u"]',
    'members[value eq "u1" and value eq "u2"]',
    'members[value eq "u1" or display pr]',
    'displayName eq "Sales" or members.display eq "Ada"',
  ])('%s → 400 invalidFilter', (text) => {
    expect(() => groups(text)).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType: 'invalidFilter' }),
    );
  });
});
