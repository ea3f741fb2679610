import { describe, expect, test } from 'vitest';
import { toMongoSort } from '../../src/projection/sort.ts';

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('toMongoSort', () => {
  test.each([
    [undefined, undefined, { _id: 1 }],
    [undefined, 'descending', { _id: 1 }],
    ['userName', undefined, { userNameKey: 1, _id: 1 }],
    ['USERNAME', 'Descending', { userNameKey: -1, _id: 1 }],
    ['name.familyName', 'ascending', { 'resource.name.familyName': 1, _id: 1 }],
    ['emails', 'ascending', { 'resource.emails.value': 1, _id: 1 }],
    [`${E}:department`, 'descending', { 'resource.enterprise.department': -1, _id: 1 }],
    ['meta.lastModified', 'descending', { 'meta.lastModified': -1, _id: 1 }],
    ['id', 'descending', { _id: -1 }],
  ] as const)('sortBy=%s sortOrder=%s', (sortBy, sortOrder, expected) => {
    expect(toMongoSort(sortBy, sortOrder, 'User')).toEqual(expected);
  });

  test('groups', () => {
    expect(toMongoSort('displayName', undefined, 'Group')).toEqual({ 'resource.displayName': 1, _id: 1 });
  });

  test.each([
    ['nope', undefined],
    ['name', undefined],
    ['meta.version', undefined],
    ['userName', 'sideways'],
    ['userName', '__proto__'],
    ['userName', 'constructor'],
  ])('sortBy=%s sortOrder=%s → 400 invalidValue', (sortBy, sortOrder) => {
    expect(() => toMongoSort(sortBy, sortOrder, 'User')).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType: 'invalidValue' }),
    );
  });
});
