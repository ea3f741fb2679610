import { expect, test } from 'vitest';
import { GROUP_SCHEMA, PATCH_OP, USER_SCHEMA } from '../src/fixtures.ts';
import type { ScimClient } from '../src/scim-client.ts';
import { withStackAndOrganization } from '../src/suite.ts';

/**
 * Okta's provisioning sequence as its SCIM 2.0 connector sends it: look up by userName before
 * create, create, PUT updates (wizard-built apps), push groups, deactivate and reactivate with
 * path-less replace operations.
 */
let scim: ScimClient;
const okta = { 'user-agent': 'Okta SCIM Client 1.0.0' };

withStackAndOrganization((suite) => {
  scim = suite.scim;
});

const byUserName = (userName: string) =>
  scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`, okta);

/** Okta deactivates and reactivates with a path-less replace. */
const setActive = (id: string, active: boolean) =>
  scim.patch(
    `/Users/${id}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active } }] },
    okta,
  );

/** Jane as Okta's profile sends her in a create and in a PUT. */
const jane = (familyName: string) => ({
  schemas: [USER_SCHEMA],
  userName: 'Jane.Doe@example.com',
  name: { givenName: 'Jane', familyName },
  emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }],
  displayName: `Jane ${familyName}`,
  externalId: '00u1abcd',
  active: true,
});

test('Okta: lookup → create → update → group push → deactivate → reactivate', async () => {
  expect((await byUserName('Jane.Doe@example.com')).body).toMatchObject({ totalResults: 0, Resources: [] });

  const created = await scim.post(
    '/Users',
    {
      ...jane('Doe'),
      locale: 'en-US',
      groups: [],
      password: 'not-stored',
      userType: 'org-full-license',
      roles: [{ type: 'synthesia_role', value: 'organization-admin' }],
    },
    okta,
  );
  expect(created.status).toBe(201);
  const id = created.body.id;
  expect(created.body).not.toHaveProperty('password');
  expect(created.body.roles).toEqual([{ type: 'synthesia_role', value: 'organization-admin' }]);

  // Okta matches case-insensitively before every create.
  expect((await byUserName('jane.doe@EXAMPLE.com')).body.Resources[0].id).toBe(id);

  const updated = await scim.put(
    `/Users/${id}`,
    { ...jane('Smith'), id, userType: 'org-restricted-license' },
    okta,
  );
  expect(updated.status).toBe(200);
  expect(updated.body).toMatchObject({ name: { familyName: 'Smith' }, userType: 'org-restricted-license' });

  const group = await scim.post(
    '/Groups',
    { schemas: [GROUP_SCHEMA], displayName: 'Marketing Workspace', members: [] },
    okta,
  );
  expect(group.status).toBe(201);
  const groupId = group.body.id;

  const added = await scim.patch(
    `/Groups/${groupId}`,
    {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id, display: 'Jane.Doe@example.com' }] }],
    },
    okta,
  );
  expect(added.status).toBe(204);
  expect(
    (await scim.get(`/Groups/${groupId}`, okta)).body.members.map((m: { value: string }) => m.value),
  ).toEqual([id]);

  const removed = await scim.patch(
    `/Groups/${groupId}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] },
    okta,
  );
  expect(removed.status).toBe(204);
  expect((await scim.get(`/Groups/${groupId}`, okta)).body.members).toEqual([]);

  // "Push now" on an empty group.
  const pushed = await scim.patch(
    `/Groups/${groupId}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [] }] },
    okta,
  );
  expect(pushed.status).toBe(204);

  const deactivated = await setActive(id, false);
  expect(deactivated.status).toBe(200);
  expect(deactivated.body.active).toBe(false);
  expect((await byUserName('Jane.Doe@example.com')).body.Resources[0].active).toBe(false);

  const reactivated = await setActive(id, true);
  expect(reactivated.status).toBe(200);
  expect(reactivated.body.active).toBe(true);
  expect(reactivated.body.id).toBe(id);
});

test('Okta: unassigning and re-assigning the same person keeps the account', async () => {
  const returning = { schemas: [USER_SCHEMA], userName: 'returning@example.com', active: true };
  const first = await scim.post('/Users', returning, okta);
  expect((await scim.delete(`/Users/${first.body.id}`, okta)).status).toBe(204);
  expect((await byUserName('returning@example.com')).body.totalResults).toBe(0);
  const again = await scim.post('/Users', returning, okta);
  expect(again.status).toBe(201);
  expect(again.body.id).toBe(first.body.id);
});

test('Okta: a group push retried (after a 503 or a timeout) answers with the same group', async () => {
  const body = { schemas: [GROUP_SCHEMA], displayName: 'Retried Push', members: [] };
  const first = await scim.post('/Groups', body, okta);
  const retry = await scim.post('/Groups', body, okta);
  expect([first.status, retry.status]).toEqual([201, 201]);
  expect(retry.body.id).toBe(first.body.id);
  const found = await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Retried Push"')}`, okta);
  expect(found.body.Resources.map((g: { id: string }) => g.id)).toEqual([first.body.id]);
});
