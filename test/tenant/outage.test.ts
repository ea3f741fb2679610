import { randomUUID } from 'node:crypto';
import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import { setUpOrganization, type TestOrg } from '../src/org.ts';
import { exitReports, whileFrozen } from '../src/processes.ts';
import { scimClient } from '../src/scim-client.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

/** An IdP gives up at 60 s; an outage must be answered well before (a contract, not a benchmark). */
const ANSWER_BOUND_MS = 30_000;

let stack: RunningStack;
let org: TestOrg;
beforeAll(async () => {
  stack = await startStack();
  org = await setUpOrganization(stack);
});
afterAll(async () => {
  await stack?.stop();
});

/** Runs `call`, expects its answer within the bound, and returns it. */
const timed = async <T>(call: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const answer = await call();
  expect(Date.now() - started).toBeLessThan(ANSWER_BOUND_MS);
  return answer;
};

const expectUnavailable = (response: { status: number; headers: Headers; body: any }) => {
  expect(response.status).toBe(503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
};

/** Writes work again once the outage is over: as an IdP would, retry until one is acknowledged. */
const expectWritesRecover = async (userName: string) => {
  const created = await waitFor(
    async () => {
      const response = await org.scim.post('/Users', newUser(userName));
      return response.status === 201 ? response : undefined;
    },
    { what: `POST /Users of ${userName} to succeed after the outage`, timeoutMs: 90_000, intervalMs: 500 },
  );
  expect(created.body.userName).toBe(userName);
};

/** A well-formed token nobody issued: only the store can tell it is unknown. */
const badToken = () => scimClient(stack.scimBaseUrl, `rst_${randomUUID()}_${'x'.repeat(43)}`);

test('broker frozen: SCIM writes answer 503 + Retry-After within the bound, reads, token checks and admin changes still work, writes recover without a restart', async () => {
  expect((await org.scim.post('/Users', newUser('before-broker@example.com'))).status).toBe(201);
  await whileFrozen(stack.pid, 'kafka', async () => {
    expectUnavailable(await timed(() => org.scim.post('/Users', newUser('during-broker@example.com'))));
    // Reads and token checks need only the store.
    const read = await timed(() =>
      org.scim.get('/Users?filter=userName%20eq%20%22before-broker@example.com%22'),
    );
    expect(read.status).toBe(200);
    expect(read.body.totalResults).toBe(1);
    expect((await timed(() => badToken().get('/Users'))).status).toBe(401);
    // An admin change commits with its announcement, which is published once the broker is back.
    const changed = await timed(() => org.admin.patch(`/orgs/${org.orgId}`, { autoCapture: true }));
    expect(changed.status).toBe(200);
  });
  await expectWritesRecover('after-broker@example.com');
  expect(exitReports(stack.output)).toEqual([]);
});

test('store frozen: writes, reads, token checks and the admin API answer 503 + Retry-After within the bound, and recover without a restart', async () => {
  await whileFrozen(stack.pid, 'mongo', async () => {
    const write = await timed(() => org.scim.post('/Users', newUser('during-store@example.com')));
    expectUnavailable(write);
    expect(write.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expectUnavailable(await timed(() => org.scim.get('/Users?filter=userName%20eq%20%22x@example.com%22')));
    expectUnavailable(await timed(() => badToken().get('/Users')));
    expectUnavailable(await timed(() => org.admin.get(`/orgs/${org.orgId}`)));
  });
  await expectWritesRecover('after-store@example.com');
  const read = await org.scim.get('/Users?filter=userName%20eq%20%22after-store@example.com%22');
  expect(read.body.totalResults).toBe(1);
  expect(exitReports(stack.output)).toEqual([]);
});
