import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newOrganization, type TestOrg } from '../src/org.ts';
import { scimClient } from '../src/scim-client.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

/**
 * Issue 11, finding 6, over HTTP against the running stack: an expired or revoked SCIM token
 * never becomes valid again, whatever rotation follows.
 */
let stack: RunningStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const rotate = (org: TestOrg, tokenId: string, graceSeconds: number) =>
  org.admin.post(`/orgs/${org.orgId}/scim-tokens/${tokenId}/rotate`, { graceSeconds });

/** Polls until the old token is refused (its grace ran out), within a deadline. */
const waitRefused = (org: TestOrg, what: string) =>
  waitFor(async () => ((await org.scim.get('/Users')).status === 401 ? true : undefined), {
    what,
    timeoutMs: 30_000,
    intervalMs: 200,
  });

describe('SCIM token rotation', () => {
  test('an expired token does not come back: rotating it again, with a long grace, is refused', async () => {
    const org = await newOrganization(stack);
    const first = await rotate(org, org.tokenId, 1);
    expect(first.status).toBe(201);
    await waitRefused(org, 'the old token to expire after its 1 s grace');

    const again = await rotate(org, org.tokenId, 3_600);
    expect(again.status).toBe(404);
    expect((await org.scim.get('/Users')).status).toBe(401);
    expect((await scimClient(stack.scimBaseUrl, first.body.token).get('/Users')).status).toBe(200);
  });

  test('rotating a token in its grace period cannot extend the grace', async () => {
    const org = await newOrganization(stack);
    expect((await rotate(org, org.tokenId, 2)).status).toBe(201);
    const longer = await rotate(org, org.tokenId, 3_600);
    expect(longer.status).toBe(201);
    await waitRefused(org, 'the old token to expire at its first, shorter grace');
    expect((await scimClient(stack.scimBaseUrl, longer.body.token).get('/Users')).status).toBe(200);
  });

  test('revoking wins over a grace period, and a revoked token does not rotate', async () => {
    const org = await newOrganization(stack);
    const successor = await rotate(org, org.tokenId, 3_600);
    expect((await org.scim.get('/Users')).status).toBe(200);
    expect((await org.admin.delete(`/orgs/${org.orgId}/scim-tokens/${org.tokenId}`)).status).toBe(204);
    expect((await org.scim.get('/Users')).status).toBe(401);
    expect((await rotate(org, org.tokenId, 3_600)).status).toBe(404);
    expect((await org.scim.get('/Users')).status).toBe(401);
    expect((await scimClient(stack.scimBaseUrl, successor.body.token).get('/Users')).status).toBe(200);
  });
});
