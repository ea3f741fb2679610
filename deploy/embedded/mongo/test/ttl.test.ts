import { waitFor } from '@roster/test-support';
import { MongoClient, type MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, type ChildStore, removeDir, spawnStore, tempDir } from './helpers.ts';

let dir: string;
let store: ChildStore;
let client: MongoClient;
beforeAll(async () => {
  dir = await tempDir('roster-mongo-ttl');
  store = await spawnStore(['--data-dir', dir, '--ttl-monitor-seconds', '1']);
  client = new MongoClient(store.url);
});
afterAll(async () => {
  await client.close();
  store.child.kill('SIGKILL');
  await store.exited;
  await removeDir(dir);
});

const HOUR = 3_600_000;
const ids = async (name: string): Promise<string[]> =>
  (await client.db('app').collection<AnyDoc>(name).distinct('_id')).sort();

describe('the TTL monitor (--ttl-monitor-seconds 1)', () => {
  it('removes documents whose expiry date has passed (expireAfterSeconds: 0)', async () => {
    const c = client.db('app').collection<AnyDoc>('outbox');
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    const now = Date.now();
    await c.insertMany([
      { _id: 'expired', expiresAt: new Date(now - 1000) },
      { _id: 'expires soon', expiresAt: new Date(now + 1500) },
      { _id: 'later', expiresAt: new Date(now + HOUR) },
      { _id: 'no expiry' },
    ]);
    await waitFor(async () => !(await ids('outbox')).includes('expires soon'), {
      what: 'the monitor to remove the documents once due',
    });
    expect(await ids('outbox')).toEqual(['later', 'no expiry']);
  });

  it('applies an expiry changed with collMod, and keeps the change across a restart', async () => {
    const c = client.db('app').collection<AnyDoc>('audit');
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 10 * 3600, name: 'retention' });
    await c.insertMany([
      { _id: 'two hours old', at: new Date(Date.now() - 2 * HOUR) },
      { _id: 'fresh', at: new Date() },
    ]);
    const changed = await client
      .db('app')
      .command({ collMod: 'audit', index: { name: 'retention', expireAfterSeconds: 3600 } });
    expect(changed).toMatchObject({ expireAfterSeconds_old: 36_000, expireAfterSeconds_new: 3600, ok: 1 });
    await waitFor(async () => (await ids('audit')).length === 1, { what: 'the shorter retention to apply' });
    expect(await ids('audit')).toEqual(['fresh']);
    const byKey = await client
      .db('app')
      .command({ collMod: 'audit', index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } });
    expect(byKey.expireAfterSeconds_new).toBe(60);

    const unknown = (await client
      .db('app')
      .command({ collMod: 'audit', index: { name: 'nope', expireAfterSeconds: 1 } })
      .catch((err: unknown) => err)) as MongoServerError;
    expect(unknown.codeName).toBe('IndexNotFound');

    await client.close();
    store.child.kill('SIGKILL');
    await store.exited;
    store = await spawnStore(['--data-dir', dir, '--ttl-monitor-seconds', '1']);
    client = new MongoClient(store.url);
    const indexes = await client.db('app').collection('audit').indexes();
    expect(indexes.find((i) => i.name === 'retention')?.expireAfterSeconds).toBe(60);
  });
});
