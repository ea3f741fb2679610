import type { GroupAttributes, UserAttributes } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { ScimError } from '../../src/errors.ts';
import { patchGroupAttributes, patchUserAttributes } from '../../src/patch/apply.ts';
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

const GROUP: GroupAttributes = {
  displayName: 'Sales',
  members: [{ value: 'u1' }, { value: 'u2', display: 'Two' }],
};

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

  test('group members: an existing member re-added with a display is not duplicated', () => {
    const result = patchGroupAttributes(GROUP, [
      op('add', 'members', [{ value: 'u1', display: 'One' }, { value: 'u3' }], G),
    ]) as GroupAttributes;
    expect(result.members).toEqual([{ value: 'u1' }, { value: 'u2', display: 'Two' }, { value: 'u3' }]);
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

  test('Okta push now: replace members []', () => {
    expect(patchGroupAttributes(GROUP, [op('replace', 'members', [], G)])).toEqual({
      displayName: 'Sales',
      members: [],
    });
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

  test('Okta members[value eq "…"] and Entra value lists (as or-filters)', () => {
    const path = {
      ...ref('members', G),
      valueFilter: { kind: 'or' as const, left: member('u1'), right: member('u2') },
    };
    expect(patchGroupAttributes(GROUP, [op('remove', path, undefined, G)])).toEqual({
      displayName: 'Sales',
      members: [],
    });
    const one = { ...ref('members', G), valueFilter: member('u2') };
    expect(patchGroupAttributes(GROUP, [op('remove', one, undefined, G)])).toEqual({
      displayName: 'Sales',
      members: [{ value: 'u1' }],
    });
  });

  test('a filter matching nothing is a no-op (idempotent retries)', () => {
    const path = { ...ref('members', G), valueFilter: member('gone') };
    expect(patchGroupAttributes(GROUP, [op('remove', path, undefined, G)])).toEqual(GROUP);
  });

  test('removing all members leaves an empty group', () => {
    expect(patchGroupAttributes(GROUP, [op('remove', 'members', undefined, G)])).toEqual({
      displayName: 'Sales',
      members: [],
    });
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

  test('immutable member sub-attributes cannot be changed once set', () => {
    const path = { ...ref('members', G), valueFilter: member('u2'), subAttribute: 'display' };
    expect(failure(patchGroupAttributes(GROUP, [op('replace', path, 'x', G)])).scimType).toBe('mutability');
    const unset = { ...ref('members', G), valueFilter: member('u1'), subAttribute: 'display' };
    expect(patchGroupAttributes(GROUP, [op('add', unset, 'One', G)])).toMatchObject({
      members: [
        { value: 'u1', display: 'One' },
        { value: 'u2', display: 'Two' },
      ],
    });
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

  test('the input is never mutated on success either', () => {
    const before = structuredClone(GROUP);
    patchGroupAttributes(GROUP, [op('add', 'members', [{ value: 'u9' }], G)]);
    expect(GROUP).toEqual(before);
  });

  test('schema URNs are checked', () => {
    expect(failure(patchUserAttributes(USER, [op('replace', 'title', 'x', G)])).scimType).toBe('invalidPath');
    expect(U).toBe(ref('title').schema);
  });
});
