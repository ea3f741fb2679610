import { GroupAttributes } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { validAttributes, withoutUndeclared } from '../../src/schemas/validate.ts';

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
