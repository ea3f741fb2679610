import { expect, test } from 'vitest';
import { ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA } from '../src/fixtures.ts';
import type { ScimClient } from '../src/scim-client.ts';
import { withStackAndOrganization } from '../src/suite.ts';

/**
 * Microsoft Entra ID's provisioning sequence: lookup by externalId, create with the enterprise
 * extension, capitalized PATCH ops with string booleans and URN paths, groups looked up by
 * displayName, member removal with a value list, and the `aadOptscim062020` flag on every call.
 */
let scim: ScimClient;
const entra = { 'user-agent': 'Azure AD SCIM Client' };
const flag = '?aadOptscim062020';

withStackAndOrganization((suite) => {
  scim = suite.scim;
});

test('Entra: lookup → create → update → group push → deactivate → reactivate', async () => {
  const lookup = await scim.get(
    `/Users${flag}&filter=${encodeURIComponent('externalId eq "8d1f-42"')}`,
    entra,
  );
  expect(lookup.body.totalResults).toBe(0);

  const created = await scim.call(
    'POST',
    `/Users${flag}`,
    JSON.stringify({
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: '8d1f-42',
      userName: 'alex@contoso.example',
      active: true,
      displayName: 'Alex Wilber',
      emails: [{ primary: true, type: 'work', value: 'alex@contoso.example' }],
      name: { formatted: 'Alex Wilber', familyName: 'Wilber', givenName: 'Alex' },
      userType: 'org-free-license',
      [ENTERPRISE]: { department: 'Retail', employeeNumber: '42' },
    }),
    { ...entra, 'content-type': 'application/json' },
  );
  expect(created.status).toBe(201);
  const id = created.body.id;
  expect(created.body[ENTERPRISE]).toEqual({ department: 'Retail', employeeNumber: '42' });

  const found = await scim.get(
    `/Users${flag}&filter=${encodeURIComponent('externalId eq "8d1f-42"')}`,
    entra,
  );
  expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);

  const patched = await scim.patch(
    `/Users/${id}${flag}`,
    {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Alex W.' },
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Sales' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alex.w@contoso.example' },
        { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      ],
    },
    entra,
  );
  expect(patched.status).toBe(200);
  expect(patched.body.displayName).toBe('Alex W.');
  expect(patched.body[ENTERPRISE].department).toBe('Sales');
  expect(patched.body.emails).toEqual([{ primary: true, type: 'work', value: 'alex.w@contoso.example' }]);
  // Replace on a filtered path that matched nothing acted as add.
  expect(patched.body.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }]);

  const groupLookup = await scim.get(
    `/Groups${flag}&filter=${encodeURIComponent('displayName eq "Sales Workspace"')}&excludedAttributes=members`,
    entra,
  );
  expect(groupLookup.body.totalResults).toBe(0);
  const group = await scim.post(
    `/Groups${flag}`,
    { schemas: [GROUP_SCHEMA], displayName: 'Sales Workspace', externalId: 'g-77', members: [] },
    entra,
  );
  expect(group.status).toBe(201);
  const groupId = group.body.id;

  const add = await scim.patch(
    `/Groups/${groupId}${flag}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] },
    entra,
  );
  expect(add.status).toBe(204);
  const listed = await scim.get(
    `/Groups${flag}&filter=${encodeURIComponent('displayName eq "Sales Workspace"')}&excludedAttributes=members`,
    entra,
  );
  expect(listed.body.Resources[0]).not.toHaveProperty('members');
  expect(
    (await scim.get(`/Groups/${groupId}`, entra)).body.members.map((m: { value: string }) => m.value),
  ).toEqual([id]);

  const remove = await scim.patch(
    `/Groups/${groupId}${flag}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: id }] }] },
    entra,
  );
  expect(remove.status).toBe(204);
  expect((await scim.get(`/Groups/${groupId}`, entra)).body.members).toEqual([]);

  const deactivated = await scim.patch(
    `/Users/${id}${flag}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
    entra,
  );
  expect(deactivated.status).toBe(200);
  expect(deactivated.body.active).toBe(false);

  const reactivated = await scim.patch(
    `/Users/${id}${flag}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] },
    entra,
  );
  expect(reactivated.body).toMatchObject({ id, active: true });
});

/** A user as Entra creates one: externalId mapped from mailNickname, as by default. */
const entraUser = (userName: string, mailNickname: string, displayName: string) =>
  JSON.stringify({
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: mailNickname,
    userName,
    active: true,
    displayName,
    emails: [{ primary: true, type: 'work', value: userName }],
  });

test('Entra: a newcomer given a leaver’s mailNickname (the same externalId) gets an account of their own', async () => {
  const post = (body: string) =>
    scim.call('POST', `/Users${flag}`, body, { ...entra, 'content-type': 'application/json' });
  const leaver = await post(entraUser('jsmith@contoso.example', 'jsmith', 'John Smith'));
  expect(leaver.status).toBe(201);
  const disabled = await scim.patch(
    `/Users/${leaver.body.id}${flag}`,
    { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
    entra,
  );
  expect(disabled.body.active).toBe(false);

  // The organization reuses the nickname; Entra finds no user of the newcomer's userName and creates one.
  const lookup = await scim.get(
    `/Users${flag}&filter=${encodeURIComponent('userName eq "jane.smith@contoso.example"')}`,
    entra,
  );
  expect(lookup.body.totalResults).toBe(0);
  const newcomer = await post(entraUser('jane.smith@contoso.example', 'jsmith', 'Jane Smith'));
  expect(newcomer.status).toBe(201);
  expect(newcomer.body.id).not.toBe(leaver.body.id);
  expect(newcomer.body).toMatchObject({ userName: 'jane.smith@contoso.example', active: true });

  const old = await scim.get(`/Users/${leaver.body.id}${flag}`, entra);
  expect(old.body).toMatchObject({
    userName: 'jsmith@contoso.example',
    displayName: 'John Smith',
    active: false,
  });
  const sharing = await scim.get(
    `/Users${flag}&filter=${encodeURIComponent('externalId eq "jsmith"')}`,
    entra,
  );
  expect(sharing.body.Resources.map((u: { id: string }) => u.id).sort()).toEqual(
    [leaver.body.id, newcomer.body.id].sort(),
  );
});

test('Entra: a group create retried (after a 503 or a timeout) answers with the same group', async () => {
  const body = {
    schemas: [GROUP_SCHEMA],
    displayName: 'Retried Workspace',
    externalId: 'g-retry',
    members: [],
  };
  const first = await scim.post(`/Groups${flag}`, body, entra);
  const retry = await scim.post(`/Groups${flag}`, body, entra);
  expect([first.status, retry.status]).toEqual([201, 201]);
  expect(retry.body.id).toBe(first.body.id);
  const listed = await scim.get(
    `/Groups${flag}&filter=${encodeURIComponent('displayName eq "Retried Workspace"')}&excludedAttributes=members`,
    entra,
  );
  expect(listed.body.totalResults).toBe(1);
});
