import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GROUP_SCHEMA, newUser, PATCH_OP } from '../src/fixtures.ts';
import { ROSTER_USER, setUpOrganization, type TestOrg } from '../src/org.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const admin = (userName: string) =>
  newUser(userName, {
    userType: 'org-full-license',
    roles: [{ type: 'synthesia_role', value: 'organization-admin' }],
  });

const deactivations = {
  okta: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] },
  entra: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
};
const reactivations = {
  okta: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] },
  entra: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] },
};

const userState = (org: TestOrg, id: string) =>
  org.admin.get(`/orgs/${org.orgId}/users/${id}`).then((r) => r.body);

describe.each(['okta', 'entra'] as const)('%s journey', (idp) => {
  test('create → license and role → group push → deactivate (content to the oldest admin) → reactivate', async () => {
    const org = await setUpOrganization(stack, { workspaces: ['Everyone', 'Marketing Workspace'] });
    const { scim } = org;

    const first = await scim.post('/Users', admin(`first-admin-${idp}@example.com`));
    expect(first.status).toBe(201);
    expect(first.body[ROSTER_USER]).toMatchObject({
      license: 'org-full-license',
      role: 'organization-admin',
      workspaces: ['Everyone'],
    });
    const second = await scim.post('/Users', admin(`second-admin-${idp}@example.com`));
    expect(second.status).toBe(201);

    // No userType: the org's default license applies.
    const bob = await scim.post('/Users', newUser(`bob-${idp}@example.com`));
    expect(bob.status).toBe(201);
    const bobId = bob.body.id;
    expect(bob.body[ROSTER_USER]).toMatchObject({
      license: 'org-free-license',
      role: 'member',
      workspaces: ['Everyone'],
    });

    const upgraded = await scim.patch(`/Users/${bobId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: idp === 'okta' ? 'replace' : 'Replace', path: 'userType', value: 'org-full-license' },
      ],
    });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body[ROSTER_USER].license).toBe('org-full-license');

    const promoted = await scim.patch(`/Users/${bobId}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: idp === 'okta' ? 'add' : 'Add',
          path: 'roles',
          value: [{ type: 'synthesia_role', value: 'organization-admin' }],
        },
      ],
    });
    expect(promoted.body[ROSTER_USER].role).toBe('organization-admin');
    const demoted = await scim.patch(`/Users/${bobId}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: idp === 'okta' ? 'remove' : 'Remove', path: 'roles[value eq "organization-admin"]' },
      ],
    });
    expect(demoted.body[ROSTER_USER].role).toBe('member');

    const group = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Marketing Workspace',
      members: [],
    });
    expect(group.status).toBe(201);
    expect(group.body['urn:roster:params:scim:schemas:extension:workspace-link:1.0:Group']).toMatchObject({
      state: 'linked',
    });
    const pushed = await scim.patch(`/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: idp === 'okta' ? 'add' : 'Add', path: 'members', value: [{ value: bobId }] }],
    });
    expect(pushed.status).toBe(204);
    await waitFor(
      async () => {
        const state = await userState(org, bobId);
        return state.workspaces.includes('Marketing Workspace') ? state : undefined;
      },
      { what: 'Bob to join the pushed group’s workspace' },
    );

    const titles = ['Quarterly update', 'Onboarding', 'Launch teaser'];
    for (const title of titles) {
      expect((await org.admin.post(`/orgs/${org.orgId}/content`, { ownerUserId: bobId, title })).status).toBe(
        201,
      );
    }

    const off = await scim.patch(`/Users/${bobId}`, deactivations[idp]);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(off.body[ROSTER_USER]).toMatchObject({ license: null, workspaces: [] });

    const transferred = await waitFor(
      async () => {
        const state = await userState(org, bobId);
        return state.contentTransfer.state === 'done' ? state : undefined;
      },
      { what: 'the content transfer to finish' },
    );
    const email = `bob-${idp}@example.com`;
    expect(transferred.contentTransfer).toMatchObject({ toUserId: first.body.id, folder: email });
    const moved = await org.admin.get(
      `/orgs/${org.orgId}/content?ownerUserId=${first.body.id}&folder=${encodeURIComponent(email)}`,
    );
    expect(moved.body.items.map((i: { title: string }) => i.title).sort()).toEqual([...titles].sort());
    expect((await org.admin.get(`/orgs/${org.orgId}/content?ownerUserId=${bobId}`)).body.items).toEqual([]);
    // The account is kept.
    expect((await scim.get(`/Users/${bobId}`)).body.active).toBe(false);

    const seats = await org.admin.get(`/orgs/${org.orgId}/seats`);
    const full = seats.body.licenses.find((l: { license: string }) => l.license === 'org-full-license');
    expect(full.inUse).toBe(2);

    const on = await scim.patch(`/Users/${bobId}`, reactivations[idp]);
    expect(on.status).toBe(200);
    expect(on.body[ROSTER_USER].license).toBe('org-full-license');
    expect([...on.body[ROSTER_USER].workspaces].sort()).toEqual(['Everyone', 'Marketing Workspace']);
  });
});

describe('edge cases', () => {
  test('no admin in the org: the transfer waits (pending_admin) and completes once an admin exists', async () => {
    const org = await setUpOrganization(stack);
    const alice = await org.scim.post('/Users', newUser('alice@example.com'));
    await org.admin.post(`/orgs/${org.orgId}/content`, { ownerUserId: alice.body.id, title: 'Only video' });
    expect((await org.scim.delete(`/Users/${alice.body.id}`)).status).toBe(204);
    await waitFor(
      async () =>
        (await userState(org, alice.body.id)).contentTransfer.state === 'pending_admin' ? true : undefined,
      {
        what: 'the transfer to wait for an admin',
      },
    );
    const audit = await org.admin.get(`/orgs/${org.orgId}/audit?userId=${alice.body.id}`);
    expect(
      audit.body.items.some(
        (e: { what: string; change?: { state?: string } }) =>
          e.what === 'content-transfer' && e.change?.state === 'pending_admin',
      ),
    ).toBe(true);

    const boss = await org.scim.post('/Users', admin('boss@example.com'));
    const done = await waitFor(
      async () => {
        const state = await userState(org, alice.body.id);
        return state.contentTransfer.state === 'done' ? state : undefined;
      },
      { what: 'the transfer to complete once an admin exists' },
    );
    expect(done.contentTransfer).toMatchObject({ toUserId: boss.body.id, folder: 'alice@example.com' });
  });

  test('seat limit reached: the create is refused with a readable reason and the seat count holds', async () => {
    const org = await setUpOrganization(stack, { seatLimits: { 'org-full-license': 1 } });
    expect(
      (await org.scim.post('/Users', newUser('one@example.com', { userType: 'org-full-license' }))).status,
    ).toBe(201);
    const refused = await org.scim.post(
      '/Users',
      newUser('two@example.com', { userType: 'org-full-license' }),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/seat/i);
    const seats = await org.admin.get(`/orgs/${org.orgId}/seats`);
    expect(seats.body.licenses.find((l: { license: string }) => l.license === 'org-full-license')).toEqual({
      license: 'org-full-license',
      inUse: 1,
      limit: 1,
    });

    // Raising the limit and retrying the same create provisions the seat.
    await org.admin.call('PATCH', `/orgs/${org.orgId}`, { seatLimits: { 'org-full-license': 2 } });
    await waitFor(
      async () => {
        const retried = await org.scim.post(
          '/Users',
          newUser('two@example.com', { userType: 'org-full-license' }),
        );
        return retried.status === 201 && retried.body[ROSTER_USER]?.license === 'org-full-license'
          ? retried
          : undefined;
      },
      { what: 'the retried create to get a seat' },
    );
  });

  test('a group with no matching workspace is stored unlinked and links when that workspace appears', async () => {
    const org = await setUpOrganization(stack);
    const carol = await org.scim.post('/Users', newUser('carol@example.com'));
    const group = await org.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Design',
      members: [{ value: carol.body.id }],
    });
    expect(group.status).toBe(201);
    expect(group.body['urn:roster:params:scim:schemas:extension:workspace-link:1.0:Group']).toEqual({
      state: 'unlinked',
    });
    expect((await userState(org, carol.body.id)).workspaces).toEqual(['Everyone']);

    const workspace = await org.admin.post(`/orgs/${org.orgId}/workspaces`, { name: 'Design' });
    const linked = await org.scim.get(`/Groups/${group.body.id}`);
    expect(linked.body['urn:roster:params:scim:schemas:extension:workspace-link:1.0:Group']).toEqual({
      state: 'linked',
      workspaceId: workspace.body.id,
    });
    await waitFor(
      async () => ((await userState(org, carol.body.id)).workspaces.includes('Design') ? true : undefined),
      {
        what: 'the group’s members to join the new workspace',
      },
    );

    // Renaming the workspace away unlinks the group and its members leave.
    const renamed = await org.admin.call('PATCH', `/orgs/${org.orgId}/workspaces/${workspace.body.id}`, {
      name: 'Design Team',
    });
    expect(renamed.status).toBe(200);
    const adminView = await org.admin.get(`/orgs/${org.orgId}/groups`);
    expect(adminView.body.items).toEqual([
      { id: group.body.id, displayName: 'Design', members: 1, workspaceLink: { state: 'unlinked' } },
    ]);
    const unlinked = await org.scim.get(`/Groups/${group.body.id}`);
    expect(unlinked.body['urn:roster:params:scim:schemas:extension:workspace-link:1.0:Group']).toEqual({
      state: 'unlinked',
    });
    const after = await waitFor(
      async () => {
        const { workspaces } = await userState(org, carol.body.id);
        return workspaces.length === 1 ? workspaces : undefined;
      },
      { what: 'the members to leave the renamed workspace' },
    );
    expect(after).toEqual(['Everyone']);
  });
});
