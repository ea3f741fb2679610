import { ERROR_MESSAGE_URN } from '@roster/contracts';
import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GROUP_SCHEMA, newUser, PATCH_OP } from '../src/fixtures.ts';
import { IdpRetries } from '../src/idp-retries.ts';
import { collect } from '../src/kafka.ts';
import { newOrganization, type TestOrg } from '../src/org.ts';
import { whileFrozen } from '../src/processes.ts';
import type { ScimResponse } from '../src/scim-client.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

// Each organization's share, lowered so a test reaches it with a handful of calls.
const REQUESTS_PER_WINDOW = 30;
const WINDOW_SECONDS = 60;
const WRITES_IN_FLIGHT = 3;
const SHARED_WRITES_IN_FLIGHT = 2;
const SHARED_CHANGES_PER_SECOND = 5;

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack({
    ROSTER_TENANT_RATE_LIMIT: String(REQUESTS_PER_WINDOW),
    ROSTER_TENANT_RATE_WINDOW_MS: String(WINDOW_SECONDS * 1000),
    ROSTER_TENANT_WRITES_IN_FLIGHT: String(WRITES_IN_FLIGHT),
    ROSTER_TENANT_SHARED_WRITES_IN_FLIGHT: String(SHARED_WRITES_IN_FLIGHT),
    ROSTER_TENANT_SHARED_CHANGES_PER_SECOND: String(SHARED_CHANGES_PER_SECOND),
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

  test('while another organization writes, writes are paced by what they change: a large group PATCH leaves a debt the next write waits out (429 + Retry-After)', async () => {
    const [heavy, other] = [await newOrganization(stack), await newOrganization(stack)];
    const asIdp = new IdpRetries();
    // A PATCH naming this many members costs more than two seconds of the shared budget.
    const memberCount = SHARED_CHANGES_PER_SECOND * 2 + 2;
    const userIds: string[] = [];
    for (let i = 0; i < memberCount + 1; i++) {
      const created = await asIdp.call(() => heavy.scim.post('/Users', newUser(`member-${i}@example.com`)));
      expect(created.status).toBe(201);
      userIds.push(created.body.id);
    }
    const group = await asIdp.call(() =>
      heavy.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Everyone', members: [] }),
    );
    expect(group.status).toBe(201);
    const path = `/Groups/${group.body.id}`;
    const adding = (ids: string[]) => ({
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }],
    });

    const commands = await collect(stack.kafkaBrokers, 'roster.scim-commands.v1');
    const published = (type: string) =>
      waitFor(
        () => commands.messages.find(({ value }) => value.type === type && value.subject === group.body.id),
        { what: `the ${type} command published` },
      );

    const { otherWrites, firstPatch } = await whileFrozen(stack.pid, 'status', async () => {
      // The other organization holds its writes in flight (the refusal of one more shows they arrived)…
      const otherWrites = concurrentCreates(other, 'other', SHARED_WRITES_IN_FLIGHT + 1);
      expectTooManyRequests((await otherWrites.first(1))[0]!, 1);
      // …so the heavy one's first PATCH is admitted from a full budget and leaves a debt…
      const firstPatch = heavy.scim.patch(path, adding(userIds.slice(0, memberCount)));
      await published('roster.command.group.patch.v1');
      // …which its next write, however small, must wait out: longer than a wait here, so 429.
      const refused = await heavy.scim.patch(path, adding(userIds.slice(memberCount)));
      expectTooManyRequests(refused, Math.ceil((memberCount + 1) / SHARED_CHANGES_PER_SECOND));
      expect(refused.body.detail).toMatch(/other organizations write/);
      return { otherWrites, firstPatch };
    });

    expect((await firstPatch).status).toBe(204);
    expect((await otherWrites.all()).map((response) => response.status).sort()).toEqual([201, 201, 429]);
    // Retried after Retry-After, as IdPs do, the write goes through.
    expect((await asIdp.call(() => heavy.scim.patch(path, adding(userIds.slice(memberCount))))).status).toBe(
      204,
    );
    expect((await heavy.scim.get(path)).body.members).toHaveLength(memberCount + 1);
    await commands.stop();
  });
});
