import { describe, expect, test } from 'vitest';
import { ingressUrlOf, newUser, PATCH_OP, USER_SCHEMA } from '../src/fixtures.ts';
import { newOrganization } from '../src/org.ts';
import type { ScimClient } from '../src/scim-client.ts';
import { adminClient, scimClient } from '../src/scim-client.ts';
import type { RunningStack } from '../src/stack.ts';
import { withStackAndOrganization } from '../src/suite.ts';

let stack: RunningStack;
let scim: ScimClient;

withStackAndOrganization((suite) => {
  ({ stack, scim } = suite);
});

describe('discovery', () => {
  test('ServiceProviderConfig advertises patch, bulk limits, filter max, sort and etag (also at /serviceConfiguration)', async () => {
    for (const path of ['/ServiceProviderConfig', '/serviceConfiguration']) {
      const config = await scim.get(path);
      expect(config.status).toBe(200);
      expect(config.body).toMatchObject({
        patch: { supported: true },
        bulk: { supported: true },
        filter: { supported: true },
        sort: { supported: true },
        etag: { supported: true },
      });
      expect(config.body.bulk.maxOperations).toBeGreaterThan(0);
    }
  });

  test('Schemas declares the core, enterprise and Roster extension schemas; ResourceTypes lists User and Group', async () => {
    const schemas = await scim.get('/Schemas');
    const ids = schemas.body.Resources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        USER_SCHEMA,
        'urn:ietf:params:scim:schemas:core:2.0:Group',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      ]),
    );
    const user = schemas.body.Resources.find((s: { id: string }) => s.id === USER_SCHEMA);
    const userType = user.attributes.find((a: { name: string }) => a.name === 'userType');
    expect(userType.canonicalValues).toEqual([
      'org-full-license',
      'org-free-license',
      'org-restricted-license',
    ]);
    const types = await scim.get('/ResourceTypes');
    expect(types.body.Resources.map((t: { id: string }) => t.id).sort()).toEqual(['Group', 'User']);
    const one = await scim.get(`/Schemas/${USER_SCHEMA}`);
    expect(one.body).toMatchObject({ id: USER_SCHEMA, name: 'User' });
    expect((await scim.get('/ResourceTypes/User')).body).toMatchObject({
      endpoint: '/Users',
      schema: USER_SCHEMA,
    });
    expect((await scim.get('/Schemas/urn:nope')).status).toBe(404);
  });
});

describe('protocol details', () => {
  test('resource paths match case-insensitively and application/json with a charset is accepted', async () => {
    const created = await scim.call('POST', '/users', JSON.stringify(newUser('case@example.com')), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(created.status).toBe(201);
    expect((await scim.get(`/USERS/${created.body.id}`)).status).toBe(200);
  });

  test('malformed JSON is 400 invalidSyntax; an unknown id is 404 with a SCIM error body', async () => {
    const bad = await scim.call('POST', '/Users', '{"userName": ', {
      'content-type': 'application/scim+json',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const missing = await scim.get('/Users/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '404',
    });
  });

  test('a PATCH without the PatchOp schema or with an unknown op is a 400', async () => {
    const user = await scim.post('/Users', newUser('patchy@example.com'));
    const noSchema = await scim.patch(`/Users/${user.body.id}`, {
      Operations: [{ op: 'replace', path: 'title', value: 'x' }],
    });
    expect(noSchema.status).toBe(400);
    const badOp = await scim.patch(`/Users/${user.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'merge', path: 'title', value: 'x' }],
    });
    expect(badOp.status).toBe(400);
    expect(badOp.body.scimType).toBe('invalidSyntax');
  });

  test('attributes and excludedAttributes project responses', async () => {
    const user = await scim.post('/Users', newUser('projected@example.com', { title: 'Dr' }));
    const only = await scim.get(`/Users/${user.body.id}?attributes=userName`);
    expect(only.body.userName).toBe('projected@example.com');
    expect(only.body.id).toBe(user.body.id);
    expect(only.body.title).toBeUndefined();
    const without = await scim.get(`/Users/${user.body.id}?excludedAttributes=title,emails`);
    expect(without.body.title).toBeUndefined();
    expect(without.body.emails).toBeUndefined();
    expect(without.body.userName).toBe('projected@example.com');
  });
});

describe('authentication and tenancy', () => {
  test('no token, a wrong token and a revoked token are 401 with a SCIM error body', async () => {
    const anonymous = await scimClient(stack.scimBaseUrl, '').get('/Users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ status: '401' });
    expect((await scimClient(stack.scimBaseUrl, 'rst_nope').get('/Users')).status).toBe(401);

    const org = await newOrganization(stack);
    const admin = adminClient(ingressUrlOf(stack), stack.adminToken);
    expect((await admin.delete(`/orgs/${org.orgId}/scim-tokens/${org.tokenId}`)).status).toBe(204);
    expect((await org.scim.get('/Users')).status).toBe(401);
  });

  test('one org never sees another org’s users, by id or by filter', async () => {
    const other = await newOrganization(stack);
    const mine = await scim.post('/Users', newUser('private@example.com'));
    expect((await other.scim.get(`/Users/${mine.body.id}`)).status).toBe(404);
    expect(
      (
        await other.scim.patch(`/Users/${mine.body.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'title', value: 'x' }],
        })
      ).status,
    ).toBe(404);
    const listed = await other.scim.get(
      `/Users?filter=${encodeURIComponent('userName eq "private@example.com"')}`,
    );
    expect(listed.body.totalResults).toBe(0);
    // The same userName is free in the other org.
    expect((await other.scim.post('/Users', newUser('private@example.com'))).status).toBe(201);
  });

  test('rotation issues a new token; the old one keeps working only for the grace period given', async () => {
    const org = await newOrganization(stack);
    const admin = adminClient(ingressUrlOf(stack), stack.adminToken);
    const rotated = await admin.post(`/orgs/${org.orgId}/scim-tokens/${org.tokenId}/rotate`, {
      graceSeconds: 0,
    });
    expect(rotated.status).toBe(201);
    expect((await org.scim.get('/Users')).status).toBe(401);
    expect((await scimClient(stack.scimBaseUrl, rotated.body.token).get('/Users')).status).toBe(200);

    const graceful = await admin.post(`/orgs/${org.orgId}/scim-tokens/${rotated.body.id}/rotate`, {
      graceSeconds: 600,
    });
    expect((await scimClient(stack.scimBaseUrl, rotated.body.token).get('/Users')).status).toBe(200);
    expect((await scimClient(stack.scimBaseUrl, graceful.body.token).get('/Users')).status).toBe(200);
  });

  test('SCIM tokens are only issued once SSO is configured', async () => {
    const admin = adminClient(ingressUrlOf(stack), stack.adminToken);
    const org = await admin.post('/orgs', {
      name: 'No SSO yet',
      domains: ['nosso.example'],
      autoCapture: false,
      ssoConfigured: false,
      defaultLicense: 'org-free-license',
    });
    const refused = await admin.post(`/orgs/${org.body.id}/scim-tokens`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/SSO/);
  });
});

describe('Bulk', () => {
  test('bulkId references resolve across operations and each operation reports its status', async () => {
    const response = await scim.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g1',
          data: {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
            displayName: 'Bulk Group',
            members: [{ value: 'bulkId:u1' }],
          },
        },
        { method: 'POST', path: '/Users', bulkId: 'u1', data: newUser('bulk1@example.com') },
        {
          method: 'PATCH',
          path: '/Users/bulkId:u1',
          data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Bulked' }] },
        },
      ],
    });
    expect(response.status).toBe(200);
    const [group, user, patch] = response.body.Operations;
    expect(user).toMatchObject({ method: 'POST', bulkId: 'u1', status: '201' });
    expect(group).toMatchObject({ method: 'POST', bulkId: 'g1', status: '201' });
    expect(patch).toMatchObject({ method: 'PATCH', status: '200' });
    const userId = user.location.split('/').pop();
    const groupId = group.location.split('/').pop();
    expect(
      (await scim.get(`/Groups/${groupId}`)).body.members.map((m: { value: string }) => m.value),
    ).toEqual([userId]);
    expect((await scim.get(`/Users/${userId}`)).body.title).toBe('Bulked');
  });

  test('failOnErrors stops after that many errors; too many operations is a 413', async () => {
    const bad = { method: 'POST', path: '/Users', data: { schemas: [USER_SCHEMA] } };
    const stopped = await scim.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      failOnErrors: 1,
      Operations: [bad, bad, { method: 'POST', path: '/Users', data: newUser('never@example.com') }],
    });
    expect(stopped.body.Operations).toHaveLength(1);
    expect(stopped.body.Operations[0].status).toBe('400');
    expect(
      (await scim.get(`/Users?filter=${encodeURIComponent('userName eq "never@example.com"')}`)).body
        .totalResults,
    ).toBe(0);

    const config = await scim.get('/ServiceProviderConfig');
    const tooLarge = await scim.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'POST',
          path: '/Users',
          data: newUser('big@example.com', { title: 'x'.repeat(config.body.bulk.maxPayloadSize) }),
        },
      ],
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ status: '413' });

    const tooMany = await scim.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: Array.from({ length: config.body.bulk.maxOperations + 1 }, () => bad),
    });
    expect(tooMany.status).toBe(413);
  });
});
