import { ERROR_MESSAGE_URN } from '@roster/contracts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import { newOrganization, type TestOrg } from '../src/org.ts';
import { whileFrozen } from '../src/processes.ts';
import type { ScimResponse } from '../src/scim-client.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

// Each organization's share, lowered so a test reaches it with a handful of calls.
const REQUESTS_PER_WINDOW = 20;
const WINDOW_SECONDS = 60;
const WRITES_IN_FLIGHT = 3;
const SHARED_WRITES_IN_FLIGHT = 2;

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack({
    ROSTER_TENANT_RATE_LIMIT: String(REQUESTS_PER_WINDOW),
    ROSTER_TENANT_RATE_WINDOW_MS: String(WINDOW_SECONDS * 1000),
    ROSTER_TENANT_WRITES_IN_FLIGHT: String(WRITES_IN_FLIGHT),
    ROSTER_TENANT_SHARED_WRITES_IN_FLIGHT: String(SHARED_WRITES_IN_FLIGHT),
  });
});
afterAll(async () => {
  await stack?.stop();
});

const expectTooManyRequests = (response: ScimResponse, maxRetryAfter: number) => {
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(response.body).toMatchObject({ schemas: [ERROR_MESSAGE_URN], status: '429' });
  expect(response.body.detail).toMatch(/organization/);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
};

/** Starts `count` creates at once; resolves with the first `settled` answers, the rest keep running. */
const concurrentCreates = (org: TestOrg, prefix: string, count: number) => {
  const calls = Array.from({ length: count }, (_, i) =>
    org.scim.post('/Users', newUser(`${prefix}-${i}-${Math.random().toString(36).slice(2)}@example.com`)),
  );
  const answered: ScimResponse[] = [];
  const first = (settled: number) =>
    new Promise<ScimResponse[]>((resolve, reject) => {
      for (const call of calls)
        call.then((response) => {
          answered.push(response);
          if (answered.length === settled) resolve([...answered]);
        }, reject);
    });
  return { all: () => Promise.all(calls), first };
};

describe('fairness between organizations', () => {
  // First: no other organization has written yet, so the busy one starts out writing alone.
  test('an organization holding its writes in flight gets 429; another still gets its share', async () => {
    const [busy, other] = [await newOrganization(stack), await newOrganization(stack)];
    // With the status service frozen no write is answered, so the slots stay taken while we look.
    const { busyWrites, otherWrites } = await whileFrozen(stack.pid, 'status', async () => {
      // Writing alone, an organization may hold WRITES_IN_FLIGHT.
      const busyWrites = concurrentCreates(busy, 'busy', WRITES_IN_FLIGHT + 2);
      for (const response of await busyWrites.first(2)) expectTooManyRequests(response, 1);
      // Another organization still gets the shared share (its next call shows it is all taken)…
      const otherWrites = concurrentCreates(other, 'other', SHARED_WRITES_IN_FLIGHT + 1);
      const [refusedOther] = await otherWrites.first(1);
      expectTooManyRequests(refusedOther!, 1);
      // …and while it writes, the busy one is held to that share too.
      expectTooManyRequests(await busy.scim.post('/Users', newUser('busy-more@example.com')), 1);
      return { busyWrites, otherWrites };
    });

    const statuses = async (writes: ReturnType<typeof concurrentCreates>) =>
      (await writes.all()).map((response) => response.status).sort();
    expect(await statuses(busyWrites)).toEqual([201, 201, 201, 429, 429]);
    expect(await statuses(otherWrites)).toEqual([201, 201, 429]);
    // Answered writes free their slots.
    expect((await busy.scim.post('/Users', newUser('busy-again@example.com'))).status).toBe(201);
  });

  test('beyond its request budget an organization gets 429 + Retry-After; another is served', async () => {
    const [flooding, quiet] = [await newOrganization(stack), await newOrganization(stack)];
    for (let i = 0; i < REQUESTS_PER_WINDOW; i++)
      expect((await flooding.scim.get('/Users?count=1')).status).toBe(200);

    expectTooManyRequests(await flooding.scim.get('/Users?count=1'), WINDOW_SECONDS);
    expectTooManyRequests(
      await flooding.scim.post('/Users', newUser('over-budget@example.com')),
      WINDOW_SECONDS,
    );

    expect((await quiet.scim.get('/Users?count=1')).status).toBe(200);
    expect((await quiet.scim.post('/Users', newUser('quiet@example.com'))).status).toBe(201);
  });
});
