import { readFileSync } from 'node:fs';
import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newUser, PATCH_OP } from '../src/fixtures.ts';
import { setUpOrganization } from '../src/org.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

let stack: RunningStack;
beforeAll(async () => {
  // Small, slow batches so the transfer is still moving when the consumer is killed.
  stack = await startStack({
    ROSTER_CONTENT_BATCH_SIZE: '10',
    ROSTER_CONTENT_BATCH_DELAY_MS: '40',
    ROSTER_CONSUMER_SESSION_TIMEOUT_MS: '6000',
    ROSTER_CONSUMER_HEARTBEAT_INTERVAL_MS: '500',
  });
});
afterAll(async () => {
  await stack?.stop();
});

const processOf = (service: string): number => {
  const children = readFileSync(`/proc/${stack.pid}/task/${stack.pid}/children`, 'utf8').trim().split(/\s+/);
  const pid = children.find((id) =>
    readFileSync(`/proc/${id}/cmdline`, 'utf8').includes(`services/${service}/`),
  );
  if (!pid) throw new Error(`no ${service} process`);
  return Number(pid);
};

test('content-transfer killed mid-transfer and restarted by the supervisor: every item moves exactly once', async () => {
  const org = await setUpOrganization(stack);
  const boss = await org.scim.post(
    '/Users',
    newUser('boss@example.com', { roles: [{ type: 'synthesia_role', value: 'organization-admin' }] }),
  );
  const leaver = await org.scim.post('/Users', newUser('leaver@example.com'));
  const titles = Array.from({ length: 300 }, (_, i) => `Video ${i}`);
  for (const title of titles) {
    expect(
      (await org.admin.post(`/orgs/${org.orgId}/content`, { ownerUserId: leaver.body.id, title })).status,
    ).toBe(201);
  }
  const owned = (owner: string, folder?: string) =>
    org.admin
      .get(
        `/orgs/${org.orgId}/content?ownerUserId=${owner}${folder ? `&folder=${encodeURIComponent(folder)}` : ''}`,
      )
      .then((r) => r.body.items as { id: string; title: string }[]);

  const victim = processOf('content-transfer');
  const off = await org.scim.patch(`/Users/${leaver.body.id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', value: { active: false } }],
  });
  expect(off.status).toBe(200);
  await waitFor(
    async () => {
      const moved = (await owned(boss.body.id)).length;
      return moved > 0 && moved < titles.length ? true : undefined;
    },
    { what: 'the transfer to be under way', intervalMs: 10 },
  );
  process.kill(victim, 'SIGKILL');

  await waitFor(
    async () => {
      const state = (await org.admin.get(`/orgs/${org.orgId}/users/${leaver.body.id}`)).body;
      return state.contentTransfer.state === 'done' ? true : undefined;
    },
    { what: 'the restarted consumer to finish the transfer', timeoutMs: 60_000 },
  );
  expect(processOf('content-transfer')).not.toBe(victim);

  const moved = await owned(boss.body.id, 'leaver@example.com');
  expect(moved.map((i) => i.title).sort()).toEqual([...titles].sort());
  expect(new Set(moved.map((i) => i.id)).size).toBe(titles.length);
  expect(await owned(leaver.body.id)).toEqual([]);
  const state = (await org.admin.get(`/orgs/${org.orgId}/users/${leaver.body.id}`)).body;
  expect(state.contentTransfer).toMatchObject({
    state: 'done',
    toUserId: boss.body.id,
    itemsMoved: titles.length,
  });
});
