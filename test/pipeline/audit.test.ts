import { afterAll, beforeAll, expect, test } from 'vitest';
import { newUser, PATCH_OP } from '../src/fixtures.ts';
import { ROSTER_USER, setUpOrganization } from '../src/org.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A small deterministic PRNG so a failing sequence can be replayed from its seed. */
const prng = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

test('after a random sequence of operations the audit trail agrees with the SCIM state', async () => {
  const org = await setUpOrganization(stack);
  const seed = Date.now() % 100_000;
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const names = ['u1@example.com', 'u2@example.com', 'u3@example.com', 'u4@example.com'];
  const ids = new Map<string, string>();

  for (let step = 0; step < 40; step++) {
    const name = pick(names);
    const id = ids.get(name);
    const op = id
      ? pick(['title', 'license', 'deactivate', 'reactivate', 'delete', 'recreate'] as const)
      : 'recreate';
    switch (op) {
      case 'recreate': {
        const created = await org.scim.post('/Users', newUser(name, { title: `t${step}` }));
        expect([201, 409]).toContain(created.status);
        if (created.status === 201) ids.set(name, created.body.id);
        break;
      }
      case 'title':
      case 'license':
        await org.scim.patch(`/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [
            op === 'title'
              ? { op: 'replace', path: 'title', value: `t${step}` }
              : {
                  op: 'replace',
                  path: 'userType',
                  value: pick(['org-full-license', 'org-free-license', 'org-restricted-license']),
                },
          ],
        });
        break;
      case 'deactivate':
      case 'reactivate':
        await org.scim.patch(`/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: op === 'reactivate' } }],
        });
        break;
      case 'delete':
        await org.scim.delete(`/Users/${id}`);
        break;
    }
  }

  for (const [name, id] of ids) {
    const entries: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await org.admin.get(
        `/orgs/${org.orgId}/audit?userId=${id}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      entries.push(...page.body.items);
      cursor = page.body.next;
    } while (cursor);
    // Newest first, across pages.
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort().reverse());

    const lastDecision = entries.find((e) => e.kind === 'command' && e.result === 'accepted');
    const scim = await org.scim.get(`/Users/${id}`);
    const state = (await org.admin.get(`/orgs/${org.orgId}/users/${id}`)).body;
    const context = `seed ${seed}, ${name}`;
    if (lastDecision.state.scimDeleted) {
      expect(scim.status, context).toBe(404);
      expect(state.scimDeleted, context).toBe(true);
    } else {
      expect(scim.body.meta.version, context).toBe(`W/"${lastDecision.state.version}"`);
      expect(scim.body.active, context).toBe(lastDecision.state.active);
    }
    const lastLicensing = entries.find(
      (e) => e.kind === 'outcome' && e.what === 'licensing' && e.result === 'succeeded',
    );
    expect(state.license, context).toBe(lastLicensing.state.license);
    if (scim.status === 200) expect(scim.body[ROSTER_USER].license, context).toBe(state.license);
  }
});
