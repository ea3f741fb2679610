import { describe, expect, test } from 'vitest';
import type { Filter } from '../../src/scim/filter.ts';
import { equalityClauses } from '../../src/scim/filter-clauses.ts';
import { GroupAttributes } from '../../src/scim/resources.ts';
import { SCHEMA } from '../../src/scim/urns.ts';
import { validAttributes, withoutUndeclared } from '../../src/scim/validate-attributes.ts';

const sub = (subAttribute: string) => ({ schema: SCHEMA.user, attribute: 'emails', subAttribute });
const eq = (name: string, value: string | boolean): Filter => ({
  kind: 'compare',
  path: sub(name),
  op: 'eq',
  value,
});

describe('equalityClauses', () => {
  test('and-joined eq comparisons pin sub-attribute values', () => {
    expect(equalityClauses({ kind: 'and', left: eq('type', 'work'), right: eq('primary', true) })).toEqual({
      type: 'work',
      primary: true,
    });
  });

  test.each<Filter>([
    { kind: 'or', left: eq('type', 'work'), right: eq('type', 'home') },
    { kind: 'not', filter: eq('type', 'work') },
    { kind: 'compare', path: sub('value'), op: 'co', value: 'x' },
    { kind: 'compare', path: sub('value'), op: 'eq', value: null },
    { kind: 'and', left: eq('type', 'work'), right: { kind: 'present', path: sub('value') } },
    { kind: 'compare', path: { schema: SCHEMA.user, attribute: 'title' }, op: 'eq', value: 'x' },
  ])('nothing is pinned by %j', (filter) => {
    expect(equalityClauses(filter)).toBeUndefined();
  });
});

describe('validAttributes / withoutUndeclared', () => {
  test('undeclared properties are dropped from a copy', () => {
    const input = { displayName: 'Sales', members: [{ value: 'u1', type: 'User', $ref: 'x' }] };
    expect(withoutUndeclared(GroupAttributes, input)).toEqual({
      displayName: 'Sales',
      members: [{ value: 'u1' }],
    });
    expect(input.members[0]).toHaveProperty('type');
  });

  test('invalid values → 400 invalidValue naming the field', () => {
    expect(() => validAttributes(GroupAttributes, { displayName: '', members: [] })).toThrowError(
      expect.objectContaining({
        httpStatus: 400,
        scimType: 'invalidValue',
        detail: expect.stringContaining('/displayName'),
      }),
    );
    expect(validAttributes(GroupAttributes, { displayName: 'x', members: [] })).toEqual({
      displayName: 'x',
      members: [],
    });
  });
});
