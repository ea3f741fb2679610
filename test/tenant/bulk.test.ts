import { waitFor } from '@roster/test-support';
import { describe, expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import { type ScimClient, scimClient } from '../src/scim-client.ts';
import type { RunningStack } from '../src/stack.ts';
import { withStackAndOrganization } from '../src/suite.ts';

// Issue 10, finding 5: nested Bulk, Bulk after the client left, and the RFC 7644 §3.7.4 limits.

let stack: RunningStack;
let scim: ScimClient;

withStackAndOrganization((suite) => {
  ({ stack, scim } = suite);
});

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const bulkOf = (operations: unknown[]) => ({ schemas: [BULK_REQUEST], Operations: operations });
const missingUserDelete = (i: number) => ({
  method: 'DELETE',
  path: `/Users/missing-${i}`,
});

const countUsers = async (prefix: string, client = scim): Promise<number> =>
  (await client.get(`/Users?count=0&filter=${encodeURIComponent(`userName sw "${prefix}"`)}`)).body
    .totalResults;

describe('nested Bulk', () => {
  test.each(['/Bulk', '/bulk/', '/Users/../Bulk', '/%42ulk'])(
    'an operation with path %s refuses the whole request before any operation runs',
    async (path) => {
      const prefix = `nested-${Math.random().toString(36).slice(2)}`;
      const response = await scim.post(
        '/Bulk',
        bulkOf([
          { method: 'POST', path: '/Users', data: newUser(`${prefix}@example.com`) },
          { method: 'POST', path, data: bulkOf(Array.from({ length: 100 }, (_, i) => missingUserDelete(i))) },
        ]),
      );
      expect(response).toMatchObject({ status: 400, body: { status: '400', scimType: 'invalidPath' } });
      expect(await countUsers(prefix)).toBe(0);
    },
  );
});

describe('limits', () => {
  test('an operation nested deeper than a body may be is 400 invalidSyntax, not a crash', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const body = `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","path":"/Users","data":${deep}}]}`;
    expect(await scim.post('/Bulk', body)).toMatchObject({
      status: 400,
      body: { scimType: 'invalidSyntax' },
    });
  });

  test('maxOperations: 100 operations run, 101 are 413', async () => {
    const run = await scim.post('/Bulk', bulkOf(Array.from({ length: 100 }, (_, i) => missingUserDelete(i))));
    expect(run.status).toBe(200);
    expect(run.body.Operations).toHaveLength(100);
    expect(run.body.Operations.every((op: { status: string }) => op.status === '404')).toBe(true);
    const refused = await scim.post(
      '/Bulk',
      bulkOf(Array.from({ length: 101 }, (_, i) => missingUserDelete(i))),
    );
    expect(refused).toMatchObject({ status: 413, body: { status: '413' } });
  });

  test('maxPayloadSize: a body of exactly 1,048,576 bytes is processed, one byte more is 413', async () => {
    const ofSize = (bytes: number) => {
      const body = bulkOf([{ method: 'DELETE', path: '/Users/missing', padding: '' }]);
      const padding = bytes - JSON.stringify(body).length;
      return JSON.stringify(
        bulkOf([{ method: 'DELETE', path: '/Users/missing', padding: 'x'.repeat(padding) }]),
      );
    };
    expect(Buffer.byteLength(ofSize(1_048_576))).toBe(1_048_576);
    const processed = await scim.post('/Bulk', ofSize(1_048_576));
    expect(processed).toMatchObject({ status: 200, body: { Operations: [{ status: '404' }] } });
    expect(await scim.post('/Bulk', ofSize(1_048_577))).toMatchObject({
      status: 413,
      body: { status: '413' },
    });
  });
});

describe('a client that disconnects', () => {
  test('stops the Bulk request before its next operation', async () => {
    // the demo organization, whose token the stack printed: the raw request needs it
    const demo = scimClient(stack.scimBaseUrl, stack.scimToken);
    const prefix = `gone-${Math.random().toString(36).slice(2)}`;
    const total = 60;
    const operations = Array.from({ length: total }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      data: newUser(`${prefix}-${i}@example.com`),
    }));
    const abort = new AbortController();
    const request = fetch(`${stack.scimBaseUrl}/Bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.scimToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(bulkOf(operations)),
      signal: abort.signal,
    }).catch((error: unknown) => error);
    await waitFor(async () => (await countUsers(prefix, demo)) >= 1, { what: 'the first bulk user' });
    abort.abort();
    expect(await request).toBeInstanceOf(Error);
    const atDisconnect = await countUsers(prefix, demo);
    // As long as a few more creates of this tenant take, an unstopped Bulk would have gone on.
    for (let i = 0; i < 5; i++) {
      expect((await demo.post('/Users', newUser(`sentinel-${i}-${prefix}@example.com`))).status).toBe(201);
    }
    // one operation may have been in flight at the disconnect
    expect(await countUsers(prefix, demo)).toBeLessThanOrEqual(atDisconnect + 1);
    expect(atDisconnect).toBeLessThan(total);
  });
});
