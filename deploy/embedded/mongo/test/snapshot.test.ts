import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@roster/test-support';
import { type Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, type ChildStore, removeDir, spawnStore, tempDir } from './helpers.ts';

// Snapshots are written in the background while commands are served; the journal moves to a new
// generation at the start of each. These tests check the store at the interesting moments through
// its files and its log, and what a client sees after kill -9.

let dir: string;
const children: ChildStore[] = [];

beforeAll(async () => {
  dir = await tempDir('roster-mongo-snapshot');
});
afterAll(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  }
  await removeDir(dir);
});

async function start(): Promise<{ store: ChildStore; client: MongoClient; docs: Collection<AnyDoc> }> {
  // a snapshot is considered every 50 ms: one starts whenever the journal outgrows the last one
  const store = await spawnStore(['--data-dir', dir, '--syncdelay', '0.05']);
  children.push(store);
  const client = new MongoClient(store.url, { serverSelectionTimeoutMS: 2_000 });
  await client.connect();
  return { store, client, docs: client.db('app').collection<AnyDoc>('docs') };
}

async function kill9(s: { store: ChildStore; client: MongoClient }): Promise<void> {
  s.store.child.kill('SIGKILL');
  expect((await s.store.exited).signal).toBe('SIGKILL');
  await s.client.close().catch(() => undefined);
}

const journals = (files: string[]): string[] => files.filter((f) => /^journal\.\d+\.log$/.test(f));

const PAYLOAD = 'p'.repeat(2_000);
/** enough data (≈ 20 MB) that a snapshot takes a while to write */
const BULK_DOCS = 10_000;
const BATCH = 500;
let acked = 0;

async function insertBatch(docs: Collection<AnyDoc>): Promise<void> {
  await docs.insertMany(Array.from({ length: BATCH }, (_, j) => ({ _id: acked + j, payload: PAYLOAD })));
  acked += BATCH;
}

describe('snapshots written while writes go on', () => {
  it('loses no acknowledged write when killed in the middle of a snapshot', async () => {
    const s = await start();
    while (acked < BULK_DOCS) await insertBatch(s.docs);
    // keep writing until the store is caught with a snapshot half written: frozen, its files
    // show the temporary snapshot beside the journal before the cut and the one after it
    let caught = false;
    const deadline = Date.now() + 120_000;
    while (!caught) {
      if (Date.now() > deadline) throw new Error('never caught the store in the middle of a snapshot');
      await insertBatch(s.docs);
      if (!existsSync(join(dir, 'snapshot.tmp'))) continue;
      s.store.child.kill('SIGSTOP');
      const files = await readdir(dir);
      caught = files.includes('snapshot.tmp') && journals(files).length === 2;
      if (!caught) s.store.child.kill('SIGCONT');
    }
    await kill9(s);

    const r = await start();
    expect(await r.docs.countDocuments()).toBe(acked);
    expect(await r.docs.findOne({ _id: acked - 1 })).toEqual({ _id: acked - 1, payload: PAYLOAD });
    await kill9(r);
  });

  it('answers writes while a snapshot is written and keeps them across kill -9', async () => {
    const s = await start();
    // the journals replayed at start outgrow the snapshot: one starts within 50 ms
    const snapshotServedWrites = (): boolean =>
      /snapshot of \d+ bytes written in \d+ ms \(\d+ slices; [1-9]\d* bytes journaled meanwhile\)/.test(
        s.store.stderr.join(''),
      );
    await waitFor(
      async () => {
        await s.docs.insertOne({ _id: acked, payload: PAYLOAD });
        acked++;
        return snapshotServedWrites();
      },
      { timeoutMs: 60_000, what: 'a snapshot written while writes were answered' },
    );
    const files = await readdir(dir);
    expect(files).toContain('snapshot.bson');
    expect(journals(files)).toHaveLength(1);
    await kill9(s);

    const r = await start();
    expect(await r.docs.countDocuments()).toBe(acked);
    await r.client.close();
    r.store.child.kill('SIGTERM');
    expect((await r.store.exited).code).toBe(0);
    // a clean shutdown leaves a snapshot of everything and an empty journal after it
    const after = await readdir(dir);
    expect(after).not.toContain('snapshot.tmp');
    expect(journals(after)).toHaveLength(1);
  });
});
