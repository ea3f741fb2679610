import { describe, expect, test } from 'vitest';
import { ENTERPRISE, newUser, PATCH_OP } from '../src/fixtures.ts';
import { ROSTER_USER } from '../src/org.ts';
import type { ScimClient } from '../src/scim-client.ts';
import { withStackAndOrganization } from '../src/suite.ts';

let scim: ScimClient;

withStackAndOrganization((suite) => {
  scim = suite.scim;
});

describe('Users', () => {
  test('POST creates a user, answers 201 with Location and ETag, and a GET right after shows it', async () => {
    const created = await scim.post('/Users', newUser('grace@example.com', { userType: 'org-full-license' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(created.body.userName).toBe('grace@example.com');
    expect(created.body.active).toBe(true);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);

    const read = await scim.get(`/Users/${created.body.id}`);
    expect(read.status).toBe(200);
    // Content transfer is not awaited: its step may fold into the Roster extension in between.
    const withoutContentStep = (user: typeof created.body) => ({
      ...user,
      [ROSTER_USER]: {
        ...user[ROSTER_USER],
        steps: user[ROSTER_USER].steps.filter((s: { name: string }) => s.name !== 'content-transfer'),
      },
    });
    expect(withoutContentStep(read.body)).toEqual(withoutContentStep(created.body));
  });

  test('userName is unique per org, case-insensitively', async () => {
    const first = await scim.post('/Users', newUser('Linus@example.com'));
    expect(first.status).toBe(201);
    const clash = await scim.post('/Users', newUser('linus@EXAMPLE.com', { name: { givenName: 'Other' } }));
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  test('an unknown userType is rejected naming the accepted values', async () => {
    const bad = await scim.post('/Users', newUser('bad@example.com', { userType: 'org-gold-license' }));
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
    expect(bad.body.detail).toContain('org-full-license');
  });

  test('PUT replaces, PATCH updates (enterprise URN path), ETags guard both', async () => {
    const created = await scim.post('/Users', newUser('barbara@example.com'));
    const id = created.body.id;
    const put = await scim.put(`/Users/${id}`, newUser('barbara@example.com', { title: 'Engineer' }), {
      'if-match': created.body.meta.version,
    });
    expect(put.status).toBe(200);
    expect(put.body.title).toBe('Engineer');

    const stale = await scim.patch(
      `/Users/${id}`,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Boss' }] },
      { 'if-match': created.body.meta.version },
    );
    expect(stale.status).toBe(412);

    const patched = await scim.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Research' }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body[ENTERPRISE].department).toBe('Research');

    const unchanged = await scim.get(`/Users/${id}`, { 'if-none-match': patched.body.meta.version });
    expect(unchanged.status).toBe(304);
  });

  test('deactivation keeps the user visible; DELETE hides the resource; re-POST reactivates the same account', async () => {
    const created = await scim.post('/Users', newUser('edsger@example.com'));
    const id = created.body.id;
    const deactivated = await scim.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    expect((await scim.get(`/Users/${id}`)).body.active).toBe(false);

    expect((await scim.delete(`/Users/${id}`)).status).toBe(204);
    expect((await scim.get(`/Users/${id}`)).status).toBe(404);
    expect(
      (
        await scim.patch(`/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'title', value: 'x' }],
        })
      ).status,
    ).toBe(404);

    const again = await scim.post('/Users', newUser('edsger@example.com'));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(id);
    expect(again.body.active).toBe(true);
  });

  test('filters find users by userName case-insensitively, with paging', async () => {
    for (const n of [1, 2, 3])
      expect((await scim.post('/Users', newUser(`page${n}@example.com`))).status).toBe(201);
    const byName = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "PAGE2@example.com"')}`);
    expect(byName.status).toBe(200);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].userName).toBe('page2@example.com');

    const page = await scim.get(
      `/Users?filter=${encodeURIComponent('userName sw "page"')}&startIndex=2&count=1&sortBy=userName`,
    );
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].userName).toBe('page2@example.com');
    // The total holds on the last page (partly full), past the end, and with count=0.
    const pageOf = async (startIndex: number, count: number) =>
      (
        await scim.get(
          `/Users?filter=${encodeURIComponent('userName sw "page"')}&startIndex=${startIndex}&count=${count}&sortBy=userName`,
        )
      ).body;
    expect(await pageOf(3, 2)).toMatchObject({ totalResults: 3, itemsPerPage: 1 });
    expect(await pageOf(10, 2)).toMatchObject({ totalResults: 3, itemsPerPage: 0 });
    expect(await pageOf(1, 0)).toMatchObject({ totalResults: 3, itemsPerPage: 0 });
    expect(await pageOf(1, 3)).toMatchObject({ totalResults: 3, itemsPerPage: 3 });

    const bad = await scim.get(`/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
  });
});
