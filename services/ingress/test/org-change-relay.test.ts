import { randomUUID } from 'node:crypto';
import type { Collector, EmbeddedInfra } from '@roster/service-kit/testing';
import { waitFor } from '@roster/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrgChange, workspaceChanged } from '../src/pipeline/org-events.ts';
import { ORG_CHANGE_OUTBOX_COLLECTION, type OutboxEntry } from '../src/store/org-change-outbox.ts';
import { collectOrgChanges, type Replica, startInfra, startReplica } from './helpers.ts';

let infra: EmbeddedInfra;
let published: Collector<OrgChange>;
const replicas: Replica[] = [];

beforeAll(async () => {
  infra = await startInfra();
  published = await collectOrgChanges(infra.kafka);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await published?.stop();
  await infra?.close();
});

const replica = async (options: Parameters<typeof startReplica>[1] = {}) => {
  const started = await startReplica(infra, options);
  replicas.push(started);
  return started;
};

const entries = () => infra.db.collection<OutboxEntry>(ORG_CHANGE_OUTBOX_COLLECTION);
const entriesOf = (tenant: string) =>
  entries()
    .find({ tenant }, { sort: { seq: 1 } })
    .toArray();

/** Ids of the org's changes on the topic, in publication order (repeats included). */
const publishedIds = (tenant: string) =>
  published.messages.filter((m) => m.tenant === tenant).map((m) => m.id);

/** Commits a workspace creation and its announcement the way the admin API does, without relaying it. */
const commitCreation = (r: Replica, tenant: string, name: string, isDefault = false) =>
  r.transactions.run(async (session) => {
    const workspace = await r.workspaces.create(session, tenant, name, isDefault);
    const event = workspaceChanged(workspace, 'created');
    await r.outbox.add(session, event);
    return event.id;
  });

const waitPublished = (tenant: string, ids: string[]) =>
  waitFor(() => ids.every((id) => publishedIds(tenant).includes(id)), {
    what: `${ids.length} changes of ${tenant} published`,
  });

describe('org-change relay', () => {
  it('publishes what a replica committed but died before relaying, on the next start, in commit order', async () => {
    const crashed = await replica({ start: false });
    const [first, second] = [randomUUID(), randomUUID()];
    const committed: Record<string, string[]> = { [first]: [], [second]: [] };
    for (const name of ['Sales', 'Support', 'Research']) {
      for (const tenant of [first, second])
        committed[tenant]!.push(await commitCreation(crashed, tenant, name, name === 'Sales'));
    }
    // Pending entries carry no publication date: the retention never removes them.
    expect((await entriesOf(first)).map((e) => [e.seq, e.published, e.publishedAt])).toEqual([
      [1, false, undefined],
      [2, false, undefined],
      [3, false, undefined],
    ]);

    await replica();
    for (const tenant of [first, second]) {
      await waitPublished(tenant, committed[tenant]!);
      expect(publishedIds(tenant)).toEqual(committed[tenant]);
      await waitFor(async () => (await entriesOf(tenant)).every((e) => e.published && e.publishedAt), {
        what: 'the entries marked published',
      });
    }
  });

  it('commits a change with its announcement or neither: a refused default switch leaves the default', async () => {
    const r = await replica();
    const tenant = randomUUID();
    const everyone = await r.changes.commit(async (session) => {
      const workspace = await r.workspaces.create(session, tenant, 'Everyone', true);
      return { outcome: workspace, announce: workspaceChanged(workspace, 'created') };
    });
    // Announced before the answer: the request waits for the publish when the broker is up.
    expect(publishedIds(tenant)).toHaveLength(1);

    const duplicate = r.changes.commit(async (session) => {
      const workspace = await r.workspaces.create(session, tenant, 'Everyone', true);
      return { outcome: workspace, announce: workspaceChanged(workspace, 'created') };
    });
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    expect(await r.workspaces.list(tenant)).toEqual([everyone]);
    expect(await entriesOf(tenant)).toHaveLength(1);
  });

  it('concurrent default switches of one org: exactly one default, the last committed, and announcements numbered in commit order', async () => {
    const r = await replica();
    const tenant = randomUUID();
    const names = Array.from({ length: 8 }, (_, i) => `Default ${i}`);
    const ids = await Promise.all(names.map((name) => commitCreation(r, tenant, name, true)));

    const defaults = (await r.workspaces.list(tenant)).filter((w) => w.isDefault);
    expect(defaults).toHaveLength(1);
    const outbox = await entriesOf(tenant);
    expect(outbox.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const last = outbox.at(-1)!.event as ReturnType<typeof workspaceChanged>;
    expect(last.data.workspace.id).toBe(defaults[0]!._id);

    await r.relay.sweep();
    await waitPublished(tenant, ids);
    expect(publishedIds(tenant)).toEqual(outbox.map((e) => e._id));
  });

  it('two replicas relaying one org: every change published once, in commit order', async () => {
    const [a, b] = [await replica(), await replica()];
    const tenant = randomUUID();
    const ids = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const committer = i % 2 === 0 ? a : b;
        const id = await commitCreation(committer, tenant, `Team ${i}`);
        await committer.relay.announce(tenant, 5_000);
        return id;
      }),
    );
    await waitPublished(tenant, ids);
    const order = (await entriesOf(tenant)).map((e) => e._id);
    expect(publishedIds(tenant)).toEqual(order);
  });

  it('a lease left by a replica that died lapses, and another replica publishes the org’s changes', async () => {
    const r = await replica();
    const tenant = randomUUID();
    expect(await r.leases.acquire(tenant, 'a replica that died', 3_000)).toBe(true);
    const id = await commitCreation(r, tenant, 'Sales');
    await r.relay.announce(tenant, 5_000);
    expect(publishedIds(tenant)).toEqual([]);
    await waitPublished(tenant, [id]);
    expect(publishedIds(tenant)).toEqual([id]);
  });

  it('published but not marked (a crash in between): published again with the same id', async () => {
    const r = await replica();
    const tenant = randomUUID();
    const id = await commitCreation(r, tenant, 'Sales');
    await r.relay.announce(tenant, 5_000);
    await waitPublished(tenant, [id]);
    await entries().updateOne({ _id: id }, { $set: { published: false }, $unset: { publishedAt: '' } });

    await replica();
    await waitFor(() => publishedIds(tenant).length === 2, { what: 'the change published again' });
    expect(publishedIds(tenant)).toEqual([id, id]);
  });

  it('published entries expire after the retention', async () => {
    await replica({ start: false });
    const indexes = await entries().listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'retention')).toMatchObject({
      key: { publishedAt: 1 },
      expireAfterSeconds: 3_600,
    });
  });
});
