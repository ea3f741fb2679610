import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GROUP_SCHEMA, newUser, PATCH_OP } from '../src/fixtures.ts';
import { setUpOrganization, type TestOrg } from '../src/org.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

/**
 * Issue 11, findings 1–4, over HTTP against the running stack: who is who is decided by the
 * userName alone, concurrent writes of one user are never lost, and a repeated group create
 * makes no second group.
 */
let stack: RunningStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const versionOf = (resource: { meta: { version: string } }): number =>
  Number(/^W\/"(\d+)"$/.exec(resource.meta.version)?.[1]);

const byFilter = (org: TestOrg, resource: 'Users' | 'Groups', filter: string) =>
  org.scim.get(`/${resource}?filter=${encodeURIComponent(filter)}`);

const deactivate = (org: TestOrg, id: string) =>
  org.scim.patch(`/Users/${id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });

describe('finding 1: externalId never merges two people', () => {
  test('a new userName with the externalId of a deactivated account is a new account; the old one stays', async () => {
    const org = await setUpOrganization(stack);
    const first = await org.scim.post('/Users', newUser('first@example.com', { externalId: 'nickname' }));
    expect(first.status).toBe(201);
    expect((await deactivate(org, first.body.id)).status).toBe(200);

    const second = await org.scim.post('/Users', newUser('second@example.com', { externalId: 'nickname' }));
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      userName: 'second@example.com',
      active: true,
      externalId: 'nickname',
    });
    expect(second.body.id).not.toBe(first.body.id);
    expect(versionOf(second.body)).toBe(1);

    const old = await org.scim.get(`/Users/${first.body.id}`);
    expect(old.body).toMatchObject({ userName: 'first@example.com', active: false, externalId: 'nickname' });
    expect(versionOf(old.body)).toBe(versionOf(first.body) + 1);
  });

  test('the returning person (same userName) gets their account back, with the externalId the IdP sends now', async () => {
    const org = await setUpOrganization(stack);
    const first = await org.scim.post('/Users', newUser('back@example.com', { externalId: 'old-id' }));
    expect((await deactivate(org, first.body.id)).status).toBe(200);
    const again = await org.scim.post('/Users', newUser('Back@example.com', { externalId: 'new-id' }));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: first.body.id, active: true, externalId: 'new-id' });
  });
});

describe('finding 2: externalId carries no uniqueness', () => {
  test('two users sharing one externalId are both created and both found by it', async () => {
    const org = await setUpOrganization(stack);
    const ada = await org.scim.post('/Users', newUser('ada@example.com', { externalId: 'shared' }));
    const grace = await org.scim.post('/Users', newUser('grace@example.com', { externalId: 'shared' }));
    expect([ada.status, grace.status]).toEqual([201, 201]);
    const found = await byFilter(org, 'Users', 'externalId eq "shared"');
    expect(found.body.Resources.map((u: { id: string }) => u.id).sort()).toEqual(
      [ada.body.id, grace.body.id].sort(),
    );
  });
});

describe('finding 3: no lost update', () => {
  test('a reactivating POST and a concurrent PATCH of the same user never share a version and both land', async () => {
    const org = await setUpOrganization(stack);
    const tries = 8;
    for (let i = 0; i < tries; i++) {
      const userName = `racer-${i}@example.com`;
      const created = await org.scim.post('/Users', newUser(userName, { title: 'before' }));
      expect((await deactivate(org, created.body.id)).status).toBe(200);
      const [returning, patched] = await Promise.all([
        org.scim.post('/Users', newUser(userName, { title: 'returning' })),
        org.scim.patch(`/Users/${created.body.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'nickName', value: `patched-${i}` }],
        }),
      ]);
      expect(returning.status).toBe(201);
      expect(returning.body.id).toBe(created.body.id);
      // Refusing the PATCH after repeated races would be honest too, never a silent drop.
      expect([200, 409]).toContain(patched.status);
      const final = (await org.scim.get(`/Users/${created.body.id}`)).body;
      expect(final).toMatchObject({ active: true, title: 'returning' });
      if (patched.status === 409) {
        expect(final).not.toHaveProperty('nickName');
        continue;
      }
      expect(versionOf(patched.body)).not.toBe(versionOf(returning.body));
      expect(versionOf(final)).toBe(Math.max(versionOf(patched.body), versionOf(returning.body)));
      // The POST replaces every attribute: the PATCH shows in the end only if it came after it.
      const patchLast = versionOf(patched.body) > versionOf(returning.body);
      expect(final.nickName).toBe(patchLast ? `patched-${i}` : undefined);
      expect(patched.body.nickName).toBe(`patched-${i}`);
    }
  });
});

describe('finding 4: no duplicate groups', () => {
  test('an identical POST /Groups repeated answers with the same group: one group, one workspace link', async () => {
    const org = await setUpOrganization(stack, { workspaces: ['Everyone', 'Sales Workspace'] });
    const member = await org.scim.post('/Users', newUser('seller@example.com'));
    const body = {
      schemas: [GROUP_SCHEMA],
      displayName: 'Sales Workspace',
      externalId: 'g-1',
      members: [{ value: member.body.id }],
    };
    const first = await org.scim.post('/Groups', body);
    const again = await org.scim.post('/Groups', body);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    expect(versionOf(again.body)).toBe(versionOf(first.body));

    expect((await byFilter(org, 'Groups', 'displayName eq "Sales Workspace"')).body.totalResults).toBe(1);
    const linked = (await org.admin.get(`/orgs/${org.orgId}/groups`)).body.items;
    expect(linked).toEqual([
      {
        id: first.body.id,
        displayName: 'Sales Workspace',
        members: 1,
        workspaceLink: { state: 'linked', workspaceId: org.workspaces['Sales Workspace'] },
      },
    ]);
    const joined = await waitFor(
      async () => {
        const state = (await org.admin.get(`/orgs/${org.orgId}/users/${member.body.id}`)).body;
        return state.workspaces.includes('Sales Workspace') ? state.workspaces : undefined;
      },
      { what: 'the member to join the group’s workspace' },
    );
    expect(joined.filter((name: string) => name === 'Sales Workspace')).toHaveLength(1);
  });

  test('the same displayName with other members, or a rename onto it, is a uniqueness conflict', async () => {
    const org = await setUpOrganization(stack);
    const member = await org.scim.post('/Users', newUser('member@example.com'));
    const sales = await org.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Sales',
      members: [],
    });
    const other = await org.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Sales',
      members: [{ value: member.body.id }],
    });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ scimType: 'uniqueness' });

    // Compared exactly, as workspace names are: "sales" is another group.
    const lower = await org.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'sales',
      members: [],
    });
    expect(lower.status).toBe(201);
    expect(lower.body.id).not.toBe(sales.body.id);
    const renamed = await org.scim.patch(`/Groups/${lower.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Sales' }],
    });
    expect(renamed.status).toBe(409);
    expect(renamed.body).toMatchObject({ scimType: 'uniqueness' });
    const replaced = await org.scim.put(`/Groups/${lower.body.id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'Sales',
      members: [],
    });
    expect(replaced.status).toBe(409);
  });
});
