import { randomUUID } from 'node:crypto';
import { WORKSPACES_COLLECTION, type WorkspaceDocument } from '@roster/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspaces } from '../src/store/workspaces.ts';
import { startTestStore, type TestStore } from './store.ts';

let store: TestStore;
let workspaces: Workspaces;

beforeAll(async () => {
  store = await startTestStore();
  workspaces = new Workspaces(store.db);
});

afterAll(async () => {
  await store?.close();
});

const collection = () => store.db.collection<WorkspaceDocument>(WORKSPACES_COLLECTION);

const workspace = (
  tenant: string,
  name: string,
  isDefault: boolean,
  createdAt: string,
): WorkspaceDocument => ({
  _id: randomUUID(),
  tenant,
  name,
  isDefault,
  createdAt,
});

describe('workspaces store', () => {
  it('an org left with two defaults by an earlier version keeps the newest; then the store refuses a second', async () => {
    const [twice, once] = [randomUUID(), randomUUID()];
    const older = workspace(twice, 'Everyone', true, '2024-01-01T00:00:00.000Z');
    const newer = workspace(twice, 'All staff', true, '2024-02-01T00:00:00.000Z');
    const single = workspace(once, 'Everyone', true, '2024-01-01T00:00:00.000Z');
    await collection().insertMany([older, newer, single]);
    await collection().createIndex({ tenant: 1, isDefault: 1 }, { name: 'tenant_default' });

    await workspaces.ensureIndexes();
    const defaults = await collection()
      .find({ isDefault: true }, { projection: { _id: 1 } })
      .toArray();
    expect(defaults.map((w) => w._id).sort()).toEqual([newer._id, single._id].sort());
    const indexes = (await collection().listIndexes().toArray()).map((i) => i.name);
    expect(indexes).toContain('one_default');
    expect(indexes).not.toContain('tenant_default');

    await expect(
      collection().insertOne(workspace(once, 'Sales', true, new Date().toISOString())),
    ).rejects.toMatchObject({ code: 11000, keyPattern: { tenant: 1 } });
    // Not default: any number.
    await collection().insertOne(workspace(once, 'Sales', false, new Date().toISOString()));
    await collection().insertOne(workspace(once, 'Support', false, new Date().toISOString()));
    // Starting again on indexes already in place changes nothing.
    await workspaces.ensureIndexes();
    expect(await collection().countDocuments({ tenant: once })).toBe(3);
  });
});
