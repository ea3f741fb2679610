import type { GroupAttributes, GroupProperties, UserAttributes } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { ScimError } from '../../src/errors.ts';
// The status service applies what the ingress normalizes: together they are the PATCH semantics IdPs see.
import { patchGroup, patchUserAttributes } from '../../src/patch/apply.ts';
import type { MemberPlan } from '../../src/patch/group-members.ts';
import { normalizePatch } from '../../src/patch/normalize.ts';
import { normalizeGroup } from '../../src/resources/group.ts';
import { normalizeUser } from '../../src/resources/user.ts';

const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
const G = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const ok = <T>(result: T | ScimError): T => {
  if (result instanceof ScimError) throw result;
  return result;
};
const patchUser = (user: UserAttributes, ...Operations: unknown[]) =>
  ok(patchUserAttributes(user, normalizePatch({ schemas: [PATCH], Operations }, 'User')));

/** A group as the status service keeps it: its attributes, and its members' ids (one document each). */
interface StoredGroup {
  properties: GroupProperties;
  memberIds: string[];
}
const stored = ({ members, ...properties }: GroupAttributes): StoredGroup => ({
  properties,
  memberIds: members.map((member) => member.value),
});
/** What a member plan means for the ids a group holds. */
const withPlan = (held: readonly string[], plan: MemberPlan): string[] =>
  plan.replaced
    ? plan.added
    : [...held.filter((id) => !plan.removed.includes(id)), ...plan.added.filter((id) => !held.includes(id))];
const patchStoredGroup = (group: StoredGroup, ...Operations: unknown[]): StoredGroup => {
  const operations = normalizePatch({ schemas: [PATCH], Operations }, 'Group');
  const { properties, members } = ok(patchGroup(group.properties, operations));
  return { properties, memberIds: withPlan(group.memberIds, members) };
};

describe('Okta sequence', () => {
  const created = normalizeUser({
    schemas: [U],
    userName: 'isaac@example.com',
    name: { givenName: 'Isaac', familyName: 'Brock' },
    emails: [{ primary: true, value: 'isaac@example.com', type: 'work' }],
    active: true,
  });

  test('deactivate and reactivate without path', () => {
    const deactivated = patchUser(created, { op: 'replace', value: { active: false } });
    expect(deactivated.active).toBe(false);
    expect(patchUser(deactivated, { op: 'replace', value: { active: true } })).toEqual(created);
  });

  test('group push: create, add members without type, remove one, push now with []', () => {
    let group = stored(normalizeGroup({ schemas: [G], displayName: 'Sales', members: [] }));
    group = patchStoredGroup(group, {
      op: 'add',
      path: 'members',
      value: [
        { value: 'u1', display: 'a@x.com' },
        { value: 'u2', display: 'b@x.com' },
      ],
    });
    expect(group.memberIds).toEqual(['u1', 'u2']);
    group = patchStoredGroup(group, { op: 'remove', path: 'members[value eq "u1"]' });
    expect(group.memberIds).toEqual(['u2']);
    group = patchStoredGroup(group, { op: 'remove', path: 'members[value eq "u1"]' });
    expect(group.memberIds).toEqual(['u2']);
    expect(patchStoredGroup(group, { op: 'replace', path: 'members', value: [] }).memberIds).toEqual([]);
  });
});

describe('Entra sequence', () => {
  const created = normalizeUser({
    schemas: [U, E],
    externalId: '0a21f0f2',
    userName: 'Test_User@contoso.com',
    active: 'True',
    emails: [{ primary: true, type: 'work', value: 'Test_User@contoso.com' }],
    [E]: { department: 'R&D' },
  });

  test('updates with capitalized ops, string booleans and URN paths', () => {
    const updated = patchUser(
      created,
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Add', path: `${E}:manager`, value: 'm-1' },
      { op: 'Replace', path: `${E}:department`, value: 'Sales' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@contoso.com' },
      { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555' },
      { op: 'Add', path: 'roles', value: [{ type: 'synthesia_role', value: 'organization-admin' }] },
    );
    expect(updated).toEqual({
      externalId: '0a21f0f2',
      userName: 'Test_User@contoso.com',
      active: false,
      emails: [{ primary: true, type: 'work', value: 'new@contoso.com' }],
      phoneNumbers: [{ type: 'mobile', value: '+1 555' }],
      roles: [{ type: 'synthesia_role', value: 'organization-admin' }],
      enterprise: { department: 'Sales', manager: { value: 'm-1' } },
    });
  });

  test('member removal as a value list, and replaying it is a no-op', () => {
    const group = stored(
      normalizeGroup({
        schemas: [G],
        displayName: 'Sales',
        members: [{ value: 'id1' }, { value: 'id2' }, { value: 'id3' }],
      }),
    );
    const removal = { op: 'Remove', path: 'members', value: [{ value: 'id1' }, { value: 'id3' }] };
    const once = patchStoredGroup(group, removal);
    expect(once.memberIds).toEqual(['id2']);
    expect(patchStoredGroup(once, removal)).toEqual(once);
  });

  test('a rename and member changes in one PATCH', () => {
    const group = stored(normalizeGroup({ schemas: [G], displayName: 'Sales', members: [{ value: 'id1' }] }));
    const renamed = patchStoredGroup(
      group,
      { op: 'Replace', path: 'displayName', value: 'Sales EMEA' },
      { op: 'Add', path: 'members', value: [{ value: 'id2' }] },
      { op: 'Remove', path: 'members', value: [{ value: 'id1' }] },
    );
    expect(renamed).toEqual({ properties: { displayName: 'Sales EMEA' }, memberIds: ['id2'] });
  });

  test('a PATCH that would break the resource is rejected as a whole', () => {
    const result = patchUserAttributes(
      created,
      normalizePatch(
        {
          schemas: [PATCH],
          Operations: [
            { op: 'Replace', path: 'title', value: 'x' },
            { op: 'Remove', path: 'userName' },
          ],
        },
        'User',
      ),
    );
    expect(result).toBeInstanceOf(ScimError);
    expect((result as ScimError).scimType).toBe('invalidValue');
  });
});
