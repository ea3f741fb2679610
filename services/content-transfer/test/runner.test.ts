import { randomUUID } from 'node:crypto';
import {
  CONTENT_ITEMS_COLLECTION,
  CONTENT_USERS_COLLECTION,
  type ContentItemDocument,
  type ContentTransferDocument,
  type ContentUserDocument,
} from '@roster/contracts';
import { startStore } from '@roster/embedded-mongo';
import { createLogger, systemClock } from '@roster/service-kit';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newTransfer } from '../src/domain/transfer.ts';
import { userKey } from '../src/domain/users.ts';
import { type RunnerDeps, runTransfer } from '../src/handlers/transfer-runner.ts';
import { ContentStore } from '../src/store/content.ts';

/** The runner against the real (embedded) store, without Kafka: crash windows made deterministic. */

const BATCH = 10;
let closeStore: () => Promise<void>;
let client: MongoClient;
let db: Db;
let store: ContentStore;

/** The test's own view of the store's collections (seeding and checking, beside the runner). */
const items = () => db.collection<ContentItemDocument>(CONTENT_ITEMS_COLLECTION);
const users = () => db.collection<ContentUserDocument>(CONTENT_USERS_COLLECTION);

beforeAll(async () => {
  const server = await startStore({ port: 0 });
  closeStore = server.close;
  client = new MongoClient(server.url);
  await client.connect();
  db = client.db(`runner_${randomUUID().slice(0, 8)}`);
  store = new ContentStore(db);
  await store.ensureIndexes();
});

afterAll(async () => {
  await client?.close();
  await closeStore?.();
});

const deps = (extra: Partial<RunnerDeps> = {}): RunnerDeps => ({
  store,
  log: createLogger('content-transfer-test', 'silent'),
  batchSize: BATCH,
  batchDelayMs: 0,
  leaseMs: 30_000,
  clock: systemClock,
  ...extra,
});
const noHeartbeat = async () => {};
const noProgress = async () => {};

/** An org with one active admin and a departing user owning `count` items, plus their transfer. */
const setup = async (count: number): Promise<{ transfer: ContentTransferDocument; adminId: string }> => {
  const tenant = `org-${randomUUID().slice(0, 8)}`;
  const adminId = `admin-${randomUUID().slice(0, 8)}`;
  const userId = `user-${randomUUID().slice(0, 8)}`;
  const admin: ContentUserDocument = {
    _id: userKey(tenant, adminId),
    tenant,
    userId: adminId,
    email: `${adminId}@corp.example`,
    active: true,
    organizationAdmin: true,
    adminSince: new Date().toISOString(),
    sequence: 1,
    latestTransferId: null,
    updatedAt: new Date().toISOString(),
  };
  await users().insertOne(admin);
  await store.createItems(
    tenant,
    Array.from({ length: count }, (_, i) => ({ ownerUserId: userId, title: `v${i}` })),
  );
  const transfer = newTransfer({
    tenant,
    sequence: 2,
    time: new Date().toISOString(),
    user: {
      id: userId,
      userName: userId,
      email: `${userId}@corp.example`,
      active: false,
      scimDeleted: false,
      organizationAdmin: false,
    },
    commandId: randomUUID(),
    changeId: `change-${randomUUID()}`,
    correlationid: randomUUID(),
  });
  await store.createTransfer(transfer);
  return { transfer, adminId };
};

const expectExactlyMoved = async (t: ContentTransferDocument, adminId: string, count: number) => {
  expect(await items().countDocuments({ tenant: t.tenant, ownerUserId: t.userId })).toBe(0);
  expect(await items().countDocuments({ tenant: t.tenant, ownerUserId: adminId, folder: t.folder })).toBe(
    count,
  );
  expect(await items().countDocuments({ 'transfer.id': t._id })).toBe(count);
  expect(await store.findTransfer(t._id)).toMatchObject({ state: 'done', itemsMoved: count, lease: null });
};

describe('runner against the store', () => {
  test('a crash after moving items but before recording the batch: itemsMoved is still exact', async () => {
    const count = BATCH * 3 + 4;
    const { transfer, adminId } = await setup(count);
    const owner = transfer.changeId;
    // the crashed runner: started, moved two batches, never recorded them
    const started = await store.transition(transfer, {
      type: 'Started',
      toUserId: adminId,
      owner,
      leaseUntil: new Date(Date.now() + 30_000).toISOString(),
      at: new Date().toISOString(),
    });
    await store.moveBatch(started!, BATCH, new Date().toISOString());
    await store.moveBatch(started!, BATCH, new Date().toISOString());
    expect((await store.findTransfer(transfer._id))?.itemsMoved).toBe(0);

    // the redelivered message (same owner) takes its lease back at once and finishes
    const result = await runTransfer(deps(), transfer._id, owner, noHeartbeat, noProgress);
    expect(result.transfer).toMatchObject({ state: 'done', itemsMoved: count });
    await expectExactlyMoved(transfer, adminId, count);
  });

  test('two runners at once (a rebalance mid-transfer) never move an item twice', async () => {
    const count = BATCH * 8 + 3;
    const { transfer, adminId } = await setup(count);
    const owner = transfer.changeId;
    const results = await Promise.all([
      runTransfer(deps(), transfer._id, owner, noHeartbeat, noProgress),
      runTransfer(deps(), transfer._id, owner, noHeartbeat, noProgress),
    ]);
    for (const r of results) expect(r.transfer.itemsMoved).toBe(count);
    expect(results.filter((r) => r.changed).length).toBeGreaterThanOrEqual(1);
    await expectExactlyMoved(transfer, adminId, count);
  });

  test('another message waits for a live lease, and takes over an expired one (its runner died)', async () => {
    const count = BATCH * 2 + 1;
    const { transfer, adminId } = await setup(count);
    const leaseMs = 300;
    const started = await store.transition(transfer, {
      type: 'Started',
      toUserId: adminId,
      owner: 'dead-runner',
      leaseUntil: new Date(Date.now() + leaseMs).toISOString(),
      at: new Date().toISOString(),
    });
    await store.moveBatch(started!, BATCH, new Date().toISOString());
    const blocked = await runTransfer(
      deps({ leaseMs }),
      transfer._id,
      'someone-else',
      noHeartbeat,
      noProgress,
    );
    expect(blocked).toMatchObject({ changed: false, transfer: { state: 'in_progress', itemsMoved: 0 } });

    await new Promise((resolve) => setTimeout(resolve, leaseMs + 50));
    const progress: number[] = [];
    const taken = await runTransfer(
      deps({ leaseMs }),
      transfer._id,
      'someone-else',
      noHeartbeat,
      async (t) => {
        progress.push(t.itemsMoved);
      },
    );
    expect(taken).toMatchObject({ changed: true, transfer: { state: 'done', itemsMoved: count } });
    // the first recorded batch counts the items the dead runner had moved too
    expect(progress).toEqual([BATCH * 2]);
    await expectExactlyMoved(transfer, adminId, count);
  });

  test('heartbeat between batches, and no admin means pending_admin', async () => {
    const count = BATCH * 3;
    const { transfer, adminId } = await setup(count);
    await users().updateOne({ _id: userKey(transfer.tenant, adminId) }, { $set: { active: false } });
    const waiting = await runTransfer(deps(), transfer._id, transfer.changeId, noHeartbeat, noProgress);
    expect(waiting).toMatchObject({ changed: true, transfer: { state: 'pending_admin' } });
    const again = await runTransfer(deps(), transfer._id, transfer.changeId, noHeartbeat, noProgress);
    expect(again).toMatchObject({ changed: false, transfer: { state: 'pending_admin' } });

    await users().updateOne({ _id: userKey(transfer.tenant, adminId) }, { $set: { active: true } });
    let beats = 0;
    const done = await runTransfer(
      deps(),
      transfer._id,
      'promotion',
      async () => {
        beats++;
      },
      noProgress,
    );
    expect(done.transfer).toMatchObject({ state: 'done', toUserId: adminId, itemsMoved: count });
    // count is a multiple of the batch: every full batch is followed by a heartbeat, the last (empty) look ends it
    expect(beats).toBe(count / BATCH);
    await expectExactlyMoved(transfer, adminId, count);
  });
});
