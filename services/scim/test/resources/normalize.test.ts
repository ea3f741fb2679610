import { describe, expect, test } from 'vitest';
import { normalizeGroup } from '../../src/resources/group.ts';
import { normalizeUser } from '../../src/resources/user.ts';

const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
const G = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const R = 'urn:roster:params:scim:schemas:extension:provisioning:1.0:User';

const invalid = (scimType: string, detail?: string) =>
  expect.objectContaining({
    httpStatus: 400,
    scimType,
    ...(detail ? { detail: expect.stringContaining(detail) } : {}),
  });

describe('normalizeUser', () => {
  test('Okta create body', () => {
    expect(
      normalizeUser({
        schemas: [U],
        userName: 'isaac.brock@example.com',
        name: { givenName: 'Isaac', familyName: 'Brock' },
        emails: [{ primary: true, value: 'isaac.brock@example.com', type: 'work' }],
        displayName: 'Isaac Brock',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: '1mz050nq',
        active: true,
      }),
    ).toEqual({
      userName: 'isaac.brock@example.com',
      name: { givenName: 'Isaac', familyName: 'Brock' },
      emails: [{ primary: true, value: 'isaac.brock@example.com', type: 'work' }],
      displayName: 'Isaac Brock',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
  });

  test('Entra create body: string booleans, enterprise extension object, case-insensitive names', () => {
    expect(
      normalizeUser({
        schemas: [U, E],
        externalId: 'e-1',
        UserName: 'Test_User@contoso.com',
        active: 'False',
        EMAILS: [{ Primary: 'True', type: 'work', value: 'Test_User@contoso.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', FamilyName: 'familyName', givenName: 'givenName' },
        roles: [],
        [E]: { Department: 'R&D', manager: { value: 'm-1', displayName: 'ignored: read-only' } },
      }),
    ).toEqual({
      externalId: 'e-1',
      userName: 'Test_User@contoso.com',
      active: false,
      emails: [{ primary: true, type: 'work', value: 'Test_User@contoso.com' }],
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      enterprise: { department: 'R&D', manager: { value: 'm-1' } },
    });
  });

  test('URN-qualified attribute names', () => {
    expect(
      normalizeUser({ schemas: [U], userName: 'a', [`${E}:costCenter`]: '42', [`${U}:title`]: 'T' }),
    ).toEqual({
      userName: 'a',
      active: true,
      title: 'T',
      enterprise: { costCenter: '42' },
    });
  });

  test('read-only and unknown attributes are ignored, nulls are unassigned', () => {
    expect(
      normalizeUser({
        schemas: [U],
        id: 'client-chosen',
        userName: 'a',
        nickName: null,
        favouriteColour: 'green',
        [R]: { license: 'org-full-license' },
        'urn:example:custom:1.0:User': { x: 1 },
      }),
    ).toEqual({ userName: 'a', active: true });
  });

  test.each(['org-full-license', 'org-free-license', 'org-restricted-license'])('userType %s', (license) => {
    expect(normalizeUser({ schemas: [U], userName: 'a', userType: license }).userType).toBe(license);
  });

  test('userType outside the licenses → invalidValue naming the accepted values', () => {
    expect(() => normalizeUser({ schemas: [U], userName: 'a', userType: 'Employee' })).toThrowError(
      invalid('invalidValue', 'org-full-license, org-free-license, org-restricted-license'),
    );
  });

  test('roles of the org role type accept only organization-admin; other types are kept', () => {
    const roles = [
      { type: 'synthesia_role', value: 'organization-admin', primary: 'true' },
      { type: 'other', value: 'anything' },
    ];
    expect(normalizeUser({ schemas: [U], userName: 'a', roles }).roles).toEqual([
      { type: 'synthesia_role', value: 'organization-admin', primary: true },
      { type: 'other', value: 'anything' },
    ]);
    expect(() =>
      normalizeUser({ schemas: [U], userName: 'a', roles: [{ type: 'synthesia_role', value: 'owner' }] }),
    ).toThrowError(invalid('invalidValue', "only accept the value 'organization-admin'"));
    expect(() =>
      normalizeUser(
        { schemas: [U], userName: 'a', roles: [{ type: 'acme_role', value: 'owner' }] },
        { roleType: 'acme_role' },
      ),
    ).toThrowError(invalid('invalidValue'));
  });

  test.each([
    [[], 'invalidSyntax', 'JSON object'],
    [{ userName: 'a' }, 'invalidSyntax', 'schemas'],
    [{ schemas: [G], userName: 'a' }, 'invalidSyntax', 'schemas'],
    [{ schemas: [U] }, 'invalidValue', '/userName'],
    [{ schemas: [U], userName: '' }, 'invalidValue', '/userName'],
    [{ schemas: [U], userName: 'a', active: 'yes' }, 'invalidValue', "'active' must be a boolean"],
    [{ schemas: [U], userName: 7 }, 'invalidValue', "'userName' must be a string"],
    [{ schemas: [U], userName: 'a', name: 'x' }, 'invalidValue', "'name' must be an object"],
    [{ schemas: [U], userName: 'a', emails: [{ value: 1 }] }, 'invalidValue', "'emails[0].value'"],
    [{ schemas: [U], userName: 'a', emails: [{ type: 'work' }] }, 'invalidValue', '/emails/0/value'],
    [{ schemas: [U], userName: 'a', [E]: 'x' }, 'invalidSyntax', E],
  ])('%j → %s', (body, scimType, detail) => {
    expect(() => normalizeUser(body)).toThrowError(invalid(scimType, detail));
  });
});

describe('normalizeGroup', () => {
  test('Okta push group: members without type', () => {
    expect(
      normalizeGroup({ schemas: [G], displayName: 'Sales', members: [{ value: 'u1', display: 'a@x.com' }] }),
    ).toEqual({ displayName: 'Sales', members: [{ value: 'u1', display: 'a@x.com' }] });
  });

  test('type and $ref are dropped, display kept, no members means empty', () => {
    expect(
      normalizeGroup({
        schemas: [G],
        displayName: 'Sales',
        externalId: 'x',
        members: [{ value: 'u1', type: 'User', $ref: 'https://h/Users/u1' }],
      }),
    ).toEqual({ displayName: 'Sales', externalId: 'x', members: [{ value: 'u1' }] });
    expect(normalizeGroup({ schemas: [G], displayName: 'Empty' })).toEqual({
      displayName: 'Empty',
      members: [],
    });
  });

  test('invalid groups', () => {
    expect(() => normalizeGroup({ schemas: [G] })).toThrowError(invalid('invalidValue', '/displayName'));
    expect(() =>
      normalizeGroup({ schemas: [G], displayName: 'x', members: [{ display: 'y' }] }),
    ).toThrowError(invalid('invalidValue', '/members/0/value'));
  });
});
