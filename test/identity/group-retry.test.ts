import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GROUP_SCHEMA } from '../src/fixtures.ts';
import { newOrganization, type TestOrg } from '../src/org.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

let stack: RunningStack;
let org: TestOrg;

// A deadline no write can meet: every write answers 503 while the pipeline still completes it.
beforeAll(async () => {
  stack = await startStack({ ROSTER_SCIM_DEADLINE_MS: '1' });
  org = await newOrganization(stack);
});

afterAll(async () => {
  await stack?.stop();
});

interface AuditItem {
  kind: string;
  what: string;
  result: string;
  resourceId: string;
}

const groupCreates = async (): Promise<AuditItem[]> => {
  const page = await org.admin.get(`/orgs/${org.orgId}/audit?limit=500`);
  return (page.body.items as AuditItem[]).filter(
    (i) => i.kind === 'command' && i.what === 'roster.command.group.create.v1',
  );
};

test('a group create answered 503 and retried as IdPs do makes one group; every retry is decided as that group', async () => {
  // finding 4: the retry of a POST /Groups created a second group of the same displayName
  const body = { schemas: [GROUP_SCHEMA], displayName: 'Engineering', externalId: 'g-42', members: [] };
  const first = await org.scim.post('/Groups', body);
  expect(first.status).toBe(503);
  const retries = await Promise.all([org.scim.post('/Groups', body), org.scim.post('/Groups', body)]);

  // The three decisions, whenever the pipeline made them (their answers missed the deadline).
  const decided = await waitFor(
    async () => {
      const creates = await groupCreates();
      return creates.length === 3 ? creates : undefined;
    },
    { what: 'all three creates to be decided' },
  );
  const [group] = (await org.scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`))
    .body.Resources;
  expect(decided.map((d) => [d.result, d.resourceId])).toEqual([
    ['accepted', group.id],
    ['accepted', group.id],
    ['accepted', group.id],
  ]);
  for (const retry of retries) {
    expect([201, 503]).toContain(retry.status);
    if (retry.status === 201) expect(retry.body.id).toBe(group.id);
  }
  expect((await org.scim.get('/Groups')).body.totalResults).toBe(1);
});
