import { appendFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@roster/test-support';
import { MongoClient, type MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../src/journal/journal.ts';
import { type AnyDoc, type ChildStore, removeDir, spawnStore, tempDir } from './helpers.ts';

let dir: string;
const children: ChildStore[] = [];

beforeAll(async () => {
  dir = await tempDir('roster-mongo-persist');
});
afterAll(async () => {
  for (const c of children)
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await removeDir(dir);
});

async function start(): Promise<{ store: ChildStore; client: MongoClient }> {
  const store = await spawnStore(['--data-dir', dir]);
  children.push(store);
  const client = new MongoClient(store.url, { serverSelectionTimeoutMS: 2_000 });
  await client.connect();
  return { store, client };
}

async function kill9(s: { store: ChildStore; client: MongoClient }): Promise<void> {
  s.store.child.kill('SIGKILL');
  const exit = await s.store.exited;
  expect(exit.signal).toBe('SIGKILL');
  await s.client.close().catch(() => undefined);
}

const users = (c: MongoClient) => c.db('app').collection<AnyDoc>('users');

const N = 500;

describe('durability', () => {
  it('keeps every acknowledged write across kill -9, including committed transactions only', async () => {
    const s = await start();
    await users(s.client).createIndex({ email: 1 }, { unique: true });
    for (let i = 0; i < N; i += 100) {
      await users(s.client).insertMany(
        Array.from({ length: 100 }, (_, j) => ({ _id: i + j, email: `u${i + j}@x` })),
      );
    }
    await users(s.client).updateMany({ _id: { $lt: 10 } }, { $set: { vip: true } });
    await users(s.client).deleteOne({ _id: 499 });
    await users(s.client).findOneAndUpdate(
      { email: 'new@x' },
      { $setOnInsert: { _id: 'upserted' }, $set: { n: 1 } },
      { upsert: true },
    );

    const committed = s.client.startSession();
    await committed.withTransaction(async () => {
      await users(s.client).insertOne({ _id: 'tx-committed', email: 'c@x' }, { session: committed });
      await users(s.client).updateOne({ _id: 0 }, { $set: { fromTxn: true } }, { session: committed });
    });
    await committed.endSession();

    const aborted = s.client.startSession();
    aborted.startTransaction();
    await users(s.client).insertOne({ _id: 'tx-aborted', email: 'a@x' }, { session: aborted });
    await aborted.abortTransaction();
    await aborted.endSession();

    const open = s.client.startSession();
    open.startTransaction();
    await users(s.client).insertOne({ _id: 'tx-open', email: 'o@x' }, { session: open });
    await users(s.client).updateOne({ _id: 1 }, { $set: { fromOpenTxn: true } }, { session: open });
    // the last acknowledged write right before the crash
    await users(s.client).insertOne({ _id: 'last', email: 'last@x' });

    await s.client.db('app').collection<AnyDoc>('tmp').insertOne({ _id: 'moved' });
    await s.client.db('app').collection('tmp').rename('renamed');

    await kill9(s);

    const r = await start();
    const c = users(r.client);
    expect(await r.client.db('app').collection<AnyDoc>('renamed').findOne({})).toEqual({ _id: 'moved' });
    expect(await r.client.db('app').collection<AnyDoc>('tmp').countDocuments()).toBe(0);
    expect(await c.countDocuments()).toBe(N - 1 + 3);
    expect(await c.countDocuments({ vip: true })).toBe(10);
    expect(await c.findOne({ _id: 499 })).toBeNull();
    expect(await c.findOne({ _id: 'upserted' })).toEqual({ _id: 'upserted', email: 'new@x', n: 1 });
    expect(await c.findOne({ _id: 'tx-committed' })).toEqual({ _id: 'tx-committed', email: 'c@x' });
    expect((await c.findOne({ _id: 0 }))?.fromTxn).toBe(true);
    expect(await c.findOne({ _id: 'tx-aborted' })).toBeNull();
    expect(await c.findOne({ _id: 'tx-open' })).toBeNull();
    expect((await c.findOne({ _id: 1 }))?.fromOpenTxn).toBeUndefined();
    expect(await c.findOne({ _id: 'last' })).toEqual({ _id: 'last', email: 'last@x' });
    // the unique index came back too
    const dup = (await c.insertOne({ email: 'u5@x' }).catch((e: unknown) => e)) as MongoServerError;
    expect(dup.code).toBe(11000);
    await kill9(r);
  });

  it('drops a torn journal tail and keeps serving', async () => {
    const files = await readdir(dir);
    const journal = files.find((f) => f.startsWith('journal.'));
    expect(journal).toBeDefined();
    const path = join(dir, journal!);
    const sizeBefore = (await stat(path)).size;
    // a frame header promising 1000 bytes followed by only a few: a write cut short by the crash
    const torn = Buffer.alloc(8 + 10);
    torn.writeUInt32LE(1000, 0);
    torn.writeUInt32LE(0xdeadbeef, 4);
    await appendFile(path, torn);

    const s = await start();
    expect(await users(s.client).countDocuments()).toBe(N - 1 + 3);
    await waitFor(() => /torn tail/.test(s.store.stderr.join('')), {
      timeoutMs: 10_000,
      what: 'the torn tail report on stderr',
    });
    expect((await stat(path)).size).toBe(sizeBefore);
    await users(s.client).insertOne({ _id: 'after-torn', email: 'at@x' });
    await kill9(s);

    const r = await start();
    expect(await users(r.client).findOne({ _id: 'after-torn' })).toEqual({
      _id: 'after-torn',
      email: 'at@x',
    });
    expect(await users(r.client).countDocuments()).toBe(N - 1 + 4);
    await r.client.close();
    r.store.child.kill('SIGTERM');
    expect((await r.store.exited).code).toBe(0);
  });

  it('restarts from a compacted snapshot after a clean shutdown', async () => {
    const files = await readdir(dir);
    expect(files).toContain('snapshot.bson');
    const s = await start();
    expect(await users(s.client).countDocuments()).toBe(N - 1 + 4);
    // the snapshot holds what transactions wrote and what a rename moved (written from the frames
    // their writes journaled, save the renamed collection's, encoded again under its new name)
    expect((await users(s.client).findOne({ _id: 0 }))?.fromTxn).toBe(true);
    expect(await s.client.db('app').collection<AnyDoc>('renamed').findOne({})).toEqual({ _id: 'moved' });
    await users(s.client).deleteMany({ _id: { $type: 'string' } });
    await kill9(s);
    const r = await start();
    expect(await users(r.client).countDocuments()).toBe(N - 1);
    // a second store on the same directory refuses to start while the first runs
    const second = await spawnStore(['--data-dir', dir]).catch((e: unknown) => e);
    expect(String(second)).toMatch(/in use by process/);
    await r.client.close();
    r.store.child.kill('SIGINT');
    expect((await r.store.exited).code).toBe(0);
  });
});

describe('recovery', () => {
  it('replays transactions journaled by earlier versions, their writes as documents', async () => {
    const old = await tempDir('roster-mongo-old-tx');
    try {
      const put = (doc: AnyDoc) => ({ op: 'put', db: 'app', c: 'users', doc });
      const frames = [
        { op: 'create', db: 'app', c: 'users', options: {} },
        put({ _id: 1, v: 1 }),
        { op: 'tx', ops: [put({ _id: 2, v: 2 }), { op: 'del', db: 'app', c: 'users', id: 1 }] },
      ].map(encodeFrame);
      await writeFile(join(old, 'journal.0.log'), Buffer.concat(frames));
      const store = await spawnStore(['--data-dir', old]);
      children.push(store);
      const client = new MongoClient(store.url, { serverSelectionTimeoutMS: 2_000 });
      expect(await client.db('app').collection<AnyDoc>('users').find().toArray()).toEqual([{ _id: 2, v: 2 }]);
      await client.close();
      store.child.kill('SIGKILL');
      await store.exited;
    } finally {
      await removeDir(old);
    }
  });

  it('replays a journal far larger than its heap when the state it makes fits', async () => {
    // 256 MB of journal rewriting the same 100 documents, for a store limited to a 64 MB heap:
    // replaying record by record holds one version of each document at a time
    const big = await tempDir('roster-mongo-replay');
    try {
      const versions = 256;
      const payload = 'v'.repeat(10_000);
      const frames: Uint8Array[] = [{ op: 'create', db: 'app', c: 'users', options: {} }].map(encodeFrame);
      for (let v = 0; v < versions; v++) {
        for (let i = 0; i < 100; i++) {
          frames.push(encodeFrame({ op: 'put', db: 'app', c: 'users', doc: { _id: i, v, payload } }));
        }
      }
      await writeFile(join(big, 'journal.0.log'), Buffer.concat(frames));
      const store = await spawnStore(['--data-dir', big], ['--max-old-space-size=64']);
      children.push(store);
      const client = new MongoClient(store.url, { serverSelectionTimeoutMS: 2_000 });
      const docs = client.db('app').collection<AnyDoc>('users');
      expect(await docs.countDocuments()).toBe(100);
      expect(await docs.countDocuments({ v: versions - 1 })).toBe(100);
      await client.close();
      store.child.kill('SIGKILL');
      await store.exited;
    } finally {
      await removeDir(big);
    }
  });
});
