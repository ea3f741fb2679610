import type { Filter } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { normalizePatch } from '../../src/patch/normalize.ts';

const U = 'urn:ietf:params:scim:schemas:core:2.0:User';

const G = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The normalized path `emails[type eq "work"].<subAttribute>`. */
const workEmail = (subAttribute: string) => ({
  schema: U,
  attribute: 'emails',
  valueFilter: {
    kind: 'compare',
    path: { schema: U, attribute: 'emails', subAttribute: 'type' },
    op: 'eq',
    value: 'work',
  },
  subAttribute,
});

const body = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });
const users = (...operations: unknown[]) => normalizePatch(body(...operations), 'User');
const groups = (...operations: unknown[]) => normalizePatch(body(...operations), 'Group');
const memberIs = (value: string): Filter => ({
  kind: 'compare',
  path: { schema: G, attribute: 'members', subAttribute: 'value' },
  op: 'eq',
  value,
});

describe('Okta', () => {
  test('deactivation: replace without path', () => {
    expect(users({ op: 'replace', value: { active: false } })).toEqual([
      { op: 'replace', path: { schema: U, attribute: 'active' }, value: false },
    ]);
  });

  test('push group: members added without type', () => {
    expect(
      groups({ op: 'add', path: 'members', value: [{ value: 'u1', display: 'a@x.com' }, { value: 'u2' }] }),
    ).toEqual([
      {
        op: 'add',
        path: { schema: G, attribute: 'members' },
        value: [{ value: 'u1', display: 'a@x.com' }, { value: 'u2' }],
      },
    ]);
  });

  test('push group: remove members[value eq "…"]', () => {
    expect(groups({ op: 'remove', path: 'members[value eq "u1"]' })).toEqual([
      { op: 'remove', path: { schema: G, attribute: 'members', valueFilter: memberIs('u1') } },
    ]);
  });

  test('push now on an empty group: replace members []', () => {
    expect(groups({ op: 'replace', path: 'members', value: [] })).toEqual([
      { op: 'replace', path: { schema: G, attribute: 'members' }, value: [] },
    ]);
  });

  test('group rename without path', () => {
    expect(groups({ op: 'replace', value: { id: 'g1', displayName: 'New' } })).toEqual([
      { op: 'replace', path: { schema: G, attribute: 'displayName' }, value: 'New' },
    ]);
  });
});

describe('Entra', () => {
  test('capitalized ops and string booleans', () => {
    expect(
      users(
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' },
        { op: 'Remove', path: 'title' },
      ),
    ).toEqual([
      { op: 'replace', path: { schema: U, attribute: 'active' }, value: false },
      {
        op: 'add',
        path: workEmail('primary'),
        value: true,
      },
      { op: 'remove', path: { schema: U, attribute: 'title' } },
    ]);
  });

  test('enterprise URN paths, manager as a bare id', () => {
    expect(
      users(
        { op: 'Add', path: `${E}:department`, value: 'R&D' },
        { op: 'Replace', path: `${E}:manager`, value: 'm-1' },
        { op: 'Replace', path: `${E}:manager.value`, value: 'm-2' },
      ),
    ).toEqual([
      { op: 'add', path: { schema: E, attribute: 'department' }, value: 'R&D' },
      { op: 'replace', path: { schema: E, attribute: 'manager' }, value: { value: 'm-1' } },
      { op: 'replace', path: { schema: E, attribute: 'manager', subAttribute: 'value' }, value: 'm-2' },
    ]);
  });

  test('member removal with a value list becomes a value filter', () => {
    expect(groups({ op: 'Remove', path: 'members', value: [{ value: 'id1' }, { value: 'id2' }] })).toEqual([
      {
        op: 'remove',
        path: {
          schema: G,
          attribute: 'members',
          valueFilter: { kind: 'or', left: memberIs('id1'), right: memberIs('id2') },
        },
      },
    ]);
    expect(groups({ op: 'Remove', path: 'members', value: [] })).toEqual([]);
  });

  test('path-less values with URN-keyed objects, dotted URN keys, sub-attribute and filtered keys', () => {
    expect(
      users({
        op: 'Add',
        value: {
          [E]: { employeeNumber: '7' },
          [`${E}:department`]: 'Sales',
          'name.givenName': 'Barbara',
          'emails[type eq "work"].value': 'b@x.com',
          schemas: [U],
          meta: { version: 'x' },
          unknownThing: 1,
        },
      }),
    ).toEqual([
      { op: 'add', path: { schema: E, attribute: 'employeeNumber' }, value: '7' },
      { op: 'add', path: { schema: E, attribute: 'department' }, value: 'Sales' },
      { op: 'add', path: { schema: U, attribute: 'name', subAttribute: 'givenName' }, value: 'Barbara' },
      {
        op: 'add',
        path: workEmail('value'),
        value: 'b@x.com',
      },
    ]);
  });

  test('a bare extension URN path expands its object', () => {
    expect(users({ op: 'replace', path: E, value: { department: 'x' } })).toEqual([
      { op: 'replace', path: { schema: E, attribute: 'department' }, value: 'x' },
    ]);
  });
});

describe('values and rules', () => {
  test('null value unassigns', () => {
    expect(users({ op: 'replace', path: 'title', value: null })).toEqual([
      { op: 'remove', path: { schema: U, attribute: 'title' } },
    ]);
  });

  test('a lone element for a multi-valued attribute is wrapped', () => {
    expect(users({ op: 'add', path: 'emails', value: { value: 'a@x.com' } })).toEqual([
      { op: 'add', path: { schema: U, attribute: 'emails' }, value: [{ value: 'a@x.com' }] },
    ]);
  });

  test('userType must be a license', () => {
    expect(users({ op: 'replace', path: 'userType', value: 'org-free-license' })[0]?.value).toBe(
      'org-free-license',
    );
    expect(() => users({ op: 'replace', value: { userType: 'Employee' } })).toThrowError(
      expect.objectContaining({
        scimType: 'invalidValue',
        detail: expect.stringContaining('org-full-license'),
      }),
    );
  });

  test.each([
    { op: 'add', path: 'roles', value: [{ type: 'synthesia_role', value: 'viewer' }] },
    { op: 'add', path: 'roles[type eq "synthesia_role"].value', value: 'viewer' },
    { op: 'replace', path: 'roles[type eq "synthesia_role"]', value: { value: 'viewer' } },
  ])('roles of the org role type only accept organization-admin: %j', (operation) => {
    expect(() => users(operation)).toThrowError(expect.objectContaining({ scimType: 'invalidValue' }));
  });

  test('roles: organization-admin and other role types pass', () => {
    expect(
      users(
        { op: 'add', path: 'roles', value: [{ type: 'synthesia_role', value: 'organization-admin' }] },
        { op: 'add', path: 'roles', value: [{ type: 'other', value: 'viewer' }] },
      ),
    ).toHaveLength(2);
  });
});

describe('errors', () => {
  test.each([
    [{ Operations: [] }, 'invalidSyntax'],
    [{ schemas: [U], Operations: [] }, 'invalidSyntax'],
    [{ schemas: [PATCH] }, 'invalidSyntax'],
    [{ schemas: [PATCH], Operations: [] }, 'invalidValue'],
    [body('x'), 'invalidSyntax'],
    [body({ op: 'merge', path: 'title', value: 'x' }), 'invalidSyntax'],
    [body({ op: 'remove' }), 'noTarget'],
    [body({ op: 'replace', value: 'x' }), 'invalidSyntax'],
    [body({ op: 'replace', path: 'nope', value: 'x' }), 'invalidPath'],
    [body({ op: 'replace', path: 'emails[type eq', value: 'x' }), 'invalidPath'],
    [body({ op: 'replace', path: 42, value: 'x' }), 'invalidPath'],
    [body({ op: 'replace', path: 'active', value: 'maybe' }), 'invalidValue'],
    [body({ op: 'remove', path: 'emails', value: [{ type: 'work' }] }), 'invalidValue'],
  ])('%j → %s', (patch, scimType) => {
    expect(() => normalizePatch(patch, 'User')).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType }),
    );
  });

  test('keys are case-insensitive', () => {
    expect(
      normalizePatch(
        { SCHEMAS: [PATCH.toUpperCase()], operations: [{ OP: 'ADD', PATH: 'title', VALUE: 'x' }] },
        'User',
      ),
    ).toEqual([{ op: 'add', path: { schema: U, attribute: 'title' }, value: 'x' }]);
  });
});
