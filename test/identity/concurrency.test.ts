import { randomBytes } from 'node:crypto';
import { waitFor } from '@roster/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newUser, PATCH_OP } from '../src/fixtures.ts';
import { setUpOrganization, type TestOrg } from '../src/org.ts';
import type { ScimResponse } from '../src/scim-client.ts';
import { type RunningStack, startStack } from '../src/stack.ts';
import { type Decided, replay, type UserOp } from './user-model.ts';

/**
 * Several concurrent SCIM clients send random interleavings of create, reactivate (a create of
 * a dormant userName), PATCH, PUT, deactivate and DELETE for a few users. Afterwards the
 * directory must equal a serial order of the decisions: every 2xx is reflected, no two changes
 * share a version, and replaying the decisions in version order through a simple model yields
 * the final state (the version is the linearization witness).
 *
 * The version of an answer without a body (DELETE's 204) and the outcome of a call answered 503
 * (unknown: the pipeline may still decide it) come from the audit trail, which records every
 * decision with the version it left the user at, found by the trace id the client sent.
 */
let stack: RunningStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const USERS = ['p0@example.com', 'p1@example.com', 'p2@example.com'];
const SEED = Number(process.env.IDENTITY_SEED ?? 20_261_125);

interface Step {
  user: number;
  op: UserOp;
}

const title = fc.constantFrom('a', 'b', 'c');
const step: fc.Arbitrary<Step> = fc.record({
  user: fc.integer({ min: 0, max: USERS.length - 1 }),
  op: fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), title }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('patch' as const), title }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('put' as const), title }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('deactivate' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const) }) },
  ),
});
/** Two to four clients, each sending its steps one after the other, all clients at once. */
const clients = fc.array(fc.array(step, { minLength: 3, maxLength: 8 }), { minLength: 2, maxLength: 4 });

/** One HTTP call as sent and answered, with the trace id that finds its decision in the audit trail. */
interface Call {
  user: number;
  op: UserOp;
  traceId: string;
  response: ScimResponse;
}

const versionOf = (body: { meta?: { version?: string } } | undefined): number | undefined => {
  const match = /^W\/"(\d+)"$/.exec(body?.meta?.version ?? '');
  return match ? Number(match[1]) : undefined;
};

const send = (org: TestOrg, userName: string, id: string, op: UserOp, headers: Record<string, string>) => {
  switch (op.kind) {
    case 'create':
      return org.scim.post('/Users', newUser(userName, { title: op.title }), headers);
    case 'put':
      return org.scim.put(`/Users/${id}`, newUser(userName, { title: op.title }), headers);
    case 'patch':
      return org.scim.patch(
        `/Users/${id}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: op.title }] },
        headers,
      );
    case 'deactivate':
      return org.scim.patch(
        `/Users/${id}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
        headers,
      );
    case 'delete':
      return org.scim.delete(`/Users/${id}`, headers);
  }
};

/** Runs the clients against a fresh organization; every call (a 503's retry too) is recorded. */
const run = async (org: TestOrg, plan: Step[][]): Promise<{ calls: Call[]; ids: Map<number, string> }> => {
  const ids = new Map<number, string>();
  const calls: Call[] = [];
  const idOf = async (user: number): Promise<string | undefined> => {
    if (!ids.has(user)) {
      const found = await org.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${USERS[user]}"`)}`);
      if (found.body.Resources?.[0]) ids.set(user, found.body.Resources[0].id);
    }
    return ids.get(user);
  };
  const call = async (user: number, op: UserOp): Promise<ScimResponse> => {
    const traceId = randomBytes(16).toString('hex');
    const headers = { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
    const response = await send(org, USERS[user]!, ids.get(user) ?? '', op, headers);
    calls.push({ user, op, traceId, response });
    if (response.status === 201) ids.set(user, response.body.id);
    return response;
  };
  await Promise.all(
    plan.map(async (steps) => {
      for (const { user, op } of steps) {
        // A user nobody created yet can only be created.
        const known = op.kind === 'create' || (await idOf(user)) !== undefined;
        const sent = known ? op : ({ kind: 'create', title: 'a' } as const);
        // An IdP retries a 503 (its outcome unknown); the retry is decided anew.
        if ((await call(user, sent)).status === 503) await call(user, sent);
      }
    }),
  );
  return { calls, ids };
};

interface AuditItem {
  kind: string;
  traceId?: string;
  resourceId: string;
  result: string;
  status?: number;
  state?: { version?: number };
}

const commandAudit = async (org: TestOrg): Promise<Map<string, AuditItem>> => {
  const items: AuditItem[] = [];
  let cursor: string | null = null;
  do {
    const page = await org.admin.get(
      `/orgs/${org.orgId}/audit?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return new Map(items.filter((i) => i.kind === 'command').map((i) => [i.traceId ?? '', i]));
};

const check = async (org: TestOrg, calls: Call[], ids: Map<number, string>) => {
  // Every call's decision is in the audit trail (a 503'd one as soon as the pipeline decided it).
  const audit = await waitFor(
    async () => {
      const found = await commandAudit(org);
      return calls.every((c) => found.has(c.traceId)) ? found : undefined;
    },
    { what: 'the decision of every call in the audit trail' },
  );
  for (const c of calls) {
    const entry = audit.get(c.traceId)!;
    const context = `${c.op.kind} of ${USERS[c.user]} answered ${c.response.status}`;
    expect([200, 201, 204, 404, 409, 503], context).toContain(c.response.status);
    if (c.response.status === 503) continue;
    // What the client was told is what the directory recorded.
    expect(entry.result, context).toBe(c.response.status < 300 ? 'accepted' : 'rejected');
    expect(entry.status, context).toBe(c.response.status);
    if (c.response.status < 300 && c.response.body)
      expect(entry.state?.version, context).toBe(versionOf(c.response.body));
  }

  for (const [user, id] of ids) {
    const decided: Decided<Call>[] = calls
      .filter((c) => c.user === user && audit.get(c.traceId)!.result === 'accepted')
      .map((c) => {
        const entry = audit.get(c.traceId)!;
        expect(entry.resourceId, `${c.op.kind} of ${USERS[user]}`).toBe(id);
        const body = c.response.status < 300 ? c.response.body : undefined;
        return {
          op: c.op,
          version: entry.state!.version!,
          ...(body ? { answered: { title: body.title, active: body.active } } : {}),
          tag: c,
        };
      });
    const replayed = replay(decided);
    if (!replayed.ok)
      throw new Error(
        `${USERS[user]}: ${replayed.why}: ${JSON.stringify(replayed.at.map((d) => ({ op: d.op, version: d.version, status: d.tag.response.status })))}`,
      );
    const current = await org.scim.get(`/Users/${id}`);
    if (replayed.final?.scimDeleted) {
      expect(current.status, `${USERS[user]} was deleted last`).toBe(404);
      continue;
    }
    expect(current.body, USERS[user]).toMatchObject({
      title: replayed.final?.title,
      active: replayed.final?.active,
    });
    expect(versionOf(current.body), USERS[user]).toBe(replayed.version);
  }
};

test('concurrent clients: the directory equals the serial order the versions witness', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(clients, async (plan) => {
      const org = await setUpOrganization(stack);
      const { calls, ids } = await run(org, plan);
      await check(org, calls, ids);
      runs++;
    }),
    // Each run is a few dozen calls against the whole stack; shrinking a failure replays it.
    { seed: SEED, numRuns: 10, endOnFailure: true },
  );
  expect(runs).toBe(10);
}, 180_000);
