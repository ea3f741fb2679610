import type { Filter, GroupProperties, UserAttributes } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { ScimError } from '../../src/errors.ts';
import { patchGroup, patchUserAttributes } from '../../src/patch/apply.ts';
import { cmp, E, G, op, ref, U } from '../helpers.ts';

const USER: UserAttributes = {
  userName: 'bjensen',
  active: true,
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'b@work.com', type: 'work', primary: true },
    { value: 'b@home.org', type: 'home' },
  ],
  roles: [{ type: 'synthesia_role', value: 'organization-admin' }],
  enterprise: { department: 'R&D' },
};

const GROUP: GroupProperties = { displayName: 'Sales', externalId: 'ext-sales' };

const work = cmp(ref('emails.type'), 'eq', 'work');
const member = (id: string) => cmp(ref('members.value', G), 'eq', id);

const patched = (result: UserAttributes | ScimError) => {
  if (result instanceof ScimError) throw result;
  return result;
};

const failure = (result: unknown) => {
  expect(result).toBeInstanceOf(ScimError);
  return result as ScimError;
};

describe('add', () => {
  test('single-valued sets, complex merges, extension attributes land under enterprise', () => {
    expect(
      patched(
        patchUserAttributes(USER, [
          op('add', 'title', 'Boss'),
          op('add', 'name', { middleName: 'J' }),
          op('add', 'costCenter', '42', E),
          op('add', 'manager.value', 'm1', E),
        ]),
      ),
    ).toMatchObject({
      title: 'Boss',
      name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'J' },
      enterprise: { department: 'R&D', costCenter: '42', manager: { value: 'm1' } },
    });
  });

  test('multi-valued appends without duplicating identical values', () => {
    const result = patched(
      patchUserAttributes(USER, [
        op('add', 'emails', [
          { value: 'b@home.org', type: 'home' },
          { value: 'new@x.com' },
          { value: 'new@x.com' },
        ]),
      ]),
    );
    expect(result.emails?.map((e) => e.value)).toEqual(['b@work.com', 'b@home.org', 'new@x.com']);
  });

  test('a new primary clears the others', () => {
    const result = patched(
      patchUserAttributes(USER, [op('add', 'emails', [{ value: 'p@x.com', primary: true }])]),
    );
    expect(result.emails?.filter((e) => e.primary).map((e) => e.value)).toEqual(['p@x.com']);
  });
});

describe('replace', () => {
  test('Okta deactivation and Entra attribute updates', () => {
    expect(
      patched(
        patchUserAttributes(USER, [
          op('replace', 'active', false),
          op('replace', 'department', 'Sales', E),
          op('replace', 'name', { givenName: 'Babs' }),
        ]),
      ),
    ).toMatchObject({
      active: false,
      enterprise: { department: 'Sales' },
      name: { givenName: 'Babs', familyName: 'Jensen' },
    });
  });

  test('multi-valued replaces all values', () => {
    expect(
      patched(patchUserAttributes(USER, [op('replace', 'emails', [{ value: 'only@x.com' }])])).emails,
    ).toEqual([{ value: 'only@x.com' }]);
  });

  test('value filter with sub-attribute updates the matching elements', () => {
    const path = { ...ref('emails'), valueFilter: work, subAttribute: 'value' };
    expect(patched(patchUserAttributes(USER, [op('replace', path, 'new@work.com')])).emails).toEqual([
      { value: 'new@work.com', type: 'work', primary: true },
      { value: 'b@home.org', type: 'home' },
    ]);
  });

  test('value filter without sub-attribute replaces the matching elements', () => {
    const path = { ...ref('emails'), valueFilter: work };
    expect(
      patched(patchUserAttributes(USER, [op('replace', path, { value: 'w@x.com', type: 'work' })])).emails,
    ).toEqual([
      { value: 'w@x.com', type: 'work' },
      { value: 'b@home.org', type: 'home' },
    ]);
  });

  test('Entra: a value filter matching nothing adds an element from its eq clauses', () => {
    const other = cmp(ref('emails.type'), 'eq', 'other');
    const path = { ...ref('emails'), valueFilter: other, subAttribute: 'value' };
    expect(patched(patchUserAttributes(USER, [op('replace', path, 'o@x.com')])).emails).toEqual([
      ...USER.emails!,
      { type: 'other', value: 'o@x.com' },
    ]);
    const primaryPath = {
      ...ref('emails'),
      valueFilter: { kind: 'and' as const, left: other, right: cmp(ref('emails.value'), 'eq', 'o@x.com') },
      subAttribute: 'primary',
    };
    const result = patched(patchUserAttributes(USER, [op('replace', primaryPath, true)]));
    expect(result.emails?.filter((e) => e.primary)).toEqual([
      { type: 'other', value: 'o@x.com', primary: true },
    ]);
  });

  test('a filter matching nothing without eq clauses → noTarget', () => {
    const path = {
      ...ref('emails'),
      valueFilter: cmp(ref('emails.value'), 'co', 'zzz'),
      subAttribute: 'type',
    };
    expect(failure(patchUserAttributes(USER, [op('replace', path, 'work')])).scimType).toBe('noTarget');
  });
});

describe('remove', () => {
  test('single-valued, sub-attribute, and extension attributes; empty complex values disappear', () => {
    const result = patched(
      patchUserAttributes(USER, [
        op('remove', 'name.givenName'),
        op('remove', 'name.familyName'),
        op('remove', 'department', undefined, E),
      ]),
    );
    expect(result).not.toHaveProperty('name');
    expect(result).not.toHaveProperty('enterprise');
  });

  test('sub-attribute of matching elements', () => {
    const path = { ...ref('emails'), valueFilter: work, subAttribute: 'primary' };
    expect(patched(patchUserAttributes(USER, [op('remove', path)])).emails?.[0]).toEqual({
      value: 'b@work.com',
      type: 'work',
    });
  });
});

describe('errors and atomicity', () => {
  test.each([
    ['read-only id', op('replace', 'id', 'x'), 'mutability'],
    ['read-only meta', op('replace', 'meta.created', '2020-01-01T00:00:00Z'), 'mutability'],
    [
      'read-only Roster extension',
      op('replace', 'license', 'x', 'urn:roster:params:scim:schemas:extension:provisioning:1.0:User'),
      'mutability',
    ],
    ['read-only manager.displayName', op('replace', 'manager.displayName', 'x', E), 'mutability'],
    ['unknown attribute', op('replace', 'nope', 'x'), 'invalidPath'],
    ['required userName removed', op('remove', 'userName'), 'invalidValue'],
    ['wrong value type', op('replace', 'active', 'yes'), 'invalidValue'],
    ['userType outside the licenses', op('replace', 'userType', 'Employee'), 'invalidValue'],
    [
      'unknown sub-attribute in a value',
      op('add', 'emails', [{ value: 'x', colour: 'red' }]),
      'invalidValue',
    ],
  ])('%s → 400 %s', (_, operation, scimType) => {
    const error = failure(patchUserAttributes(USER, [operation]));
    expect(error.httpStatus).toBe(400);
    expect(error.scimType).toBe(scimType);
  });

  test('all or nothing: a failing operation leaves the input untouched', () => {
    const before = structuredClone(USER);
    failure(
      patchUserAttributes(USER, [
        op('replace', 'title', 'Boss'),
        op('add', 'emails', [{ value: 'x' }]),
        op('replace', 'id', 'x'),
      ]),
    );
    expect(USER).toEqual(before);
  });

  test('schema URNs are checked', () => {
    expect(failure(patchUserAttributes(USER, [op('replace', 'title', 'x', G)])).scimType).toBe('invalidPath');
    expect(U).toBe(ref('title').schema);
  });
});

describe('patchGroup: the group attributes patched, the members planned (group-members.ts)', () => {
  const removeWhere = (valueFilter: Filter) =>
    op('remove', { ...ref('members', G), valueFilter }, undefined, G);

  test('a rename together with member changes', () => {
    expect(
      patchGroup(GROUP, [
        op('replace', 'displayName', 'Sales EMEA', G),
        op('add', 'members', [{ value: 'u3' }], G),
        removeWhere(member('u1')),
      ]),
    ).toEqual({
      properties: { displayName: 'Sales EMEA', externalId: 'ext-sales' },
      members: { replaced: false, added: ['u3'], removed: ['u1'] },
    });
  });

  test('Okta push now: replace members [] plans an empty group and leaves the attributes as they were', () => {
    expect(patchGroup(GROUP, [op('replace', 'members', [], G)])).toEqual({
      properties: GROUP,
      members: { replaced: true, added: [], removed: [] },
    });
  });

  test.each([
    ['required displayName removed', op('remove', 'displayName', undefined, G), 'invalidValue'],
    ['read-only id', op('replace', 'id', 'g2', G), 'mutability'],
    ['immutable member display', op('replace', 'members.display', 'x', G), 'mutability'],
    ['a removal by display', removeWhere(cmp(ref('members.display', G), 'eq', 'x')), 'invalidFilter'],
  ])('%s → 400 %s, returned for the whole PATCH', (_, operation, scimType) => {
    const error = failure(patchGroup(GROUP, [op('replace', 'displayName', 'Renamed', G), operation]));
    expect(error.httpStatus).toBe(400);
    expect(error.scimType).toBe(scimType);
  });

  test('members never reach the properties, even from an input that still holds some', () => {
    const withMembers = { ...GROUP, members: [{ value: 'u1' }] };
    const result = patchGroup(withMembers, [op('replace', 'externalId', 'ext-2', G)]);
    expect(result).toEqual({
      properties: { displayName: 'Sales', externalId: 'ext-2' },
      members: { replaced: false, added: [], removed: [] },
    });
  });

  test('the input is never mutated', () => {
    const before = structuredClone(GROUP);
    patchGroup(GROUP, [op('replace', 'displayName', 'New', G), op('remove', 'externalId', undefined, G)]);
    expect(GROUP).toEqual(before);
  });
});
