import { readdir } from 'node:fs/promises';
import net from 'node:net';
import { calculateObjectSize, ObjectId } from 'bson';
import { MongoClient, type MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStore } from '../src/index.ts';
import { type AnyDoc, type Harness, removeDir, spawnStore, startHarness, tempDir } from './helpers.ts';

const MAX_BSON = 16 * 1024 * 1024;

/** The string `x` that makes `{ ...doc, x }` exactly `bytes` long as BSON. */
function filler(doc: AnyDoc, bytes: number): string {
  return 'a'.repeat(bytes - calculateObjectSize({ ...doc, x: '' }));
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const coll = (name: string) => h.client.db('limits').collection<AnyDoc>(name);

/** `levels` levels of fields: `{ a: { a: … { a: 1 } } }` */
function nested(levels: number): AnyDoc {
  let doc: AnyDoc = { a: 1 };
  for (let i = 1; i < levels; i++) doc = { a: doc };
  return doc;
}

function failure(p: Promise<unknown>): Promise<MongoServerError> {
  return p.then(
    () => {
      throw new Error('expected the write to be refused');
    },
    (err: MongoServerError) => err,
  );
}

describe('document limits, as mongod enforces them', () => {
  it('advertises the limits in hello', async () => {
    const hello = await h.client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({
      maxBsonObjectSize: 16_777_216,
      maxMessageSizeBytes: 48_000_000,
      maxWriteBatchSize: 100_000,
    });
  });

  it('stores a document of exactly 16 MiB and refuses one byte more on insert, update, upsert and findAndModify', async () => {
    const withObjectId = { _id: new ObjectId() };
    const atLimit = filler(withObjectId, MAX_BSON);
    const overLimit = filler(withObjectId, MAX_BSON + 1);
    const updatedOverLimit = filler({ _id: 'small' }, MAX_BSON + 1);
    const c = coll('size');
    await c.insertOne({ x: atLimit });
    expect(await c.countDocuments()).toBe(1);

    const insert = await failure(c.insertOne({ x: overLimit }));
    expect(insert.code).toBe(10334); // BSONObjectTooLarge
    expect(insert.message).toMatch(`object to insert too large. size in bytes: ${MAX_BSON + 1}`);

    await c.insertOne({ _id: 'small', x: '' });
    const update = await failure(c.updateOne({ _id: 'small' }, { $set: { x: updatedOverLimit } }));
    expect(update.code).toBe(10334);
    expect(update.message).toBe(`Resulting document after update is larger than ${MAX_BSON}`);

    const upsert = await failure(
      c.replaceOne({ _id: 'new' }, { x: filler({ _id: 'new' }, MAX_BSON + 1) }, { upsert: true }),
    );
    expect(upsert.code).toBe(10334);

    const findAndModify = await failure(
      c.findOneAndUpdate({ _id: 'small' }, { $set: { x: updatedOverLimit } }),
    );
    expect(findAndModify.code).toBe(10334);

    // nothing of the refused writes is visible
    expect(await c.findOne({ _id: 'small' })).toEqual({ _id: 'small', x: '' });
    expect(await c.countDocuments()).toBe(2);
  });

  it('refuses documents nested deeper than 100 levels with Overflow, on insert and update', async () => {
    const c = coll('depth');
    await c.insertOne({ _id: 'deepest allowed', ...nested(100) });
    await c.insertOne({ _id: 'empty documents add no level', ...nested(99), e: { f: {} } });
    const insert = await failure(c.insertOne({ _id: 'too deep', ...nested(101) }));
    expect(insert.code).toBe(15); // Overflow
    const arrays = await failure(c.insertOne({ _id: 'arrays count', a: [[nested(99)]] }));
    expect(arrays.code).toBe(15);

    await c.insertOne({ _id: 'shallow' });
    const update = await failure(c.updateOne({ _id: 'shallow' }, { $set: nested(101) }));
    expect(update.code).toBe(15);
    expect(await c.countDocuments()).toBe(3);
  });

  it('refuses a write command with more than maxWriteBatchSize statements', async () => {
    const documents = Array.from({ length: 100_001 }, (_, i) => ({ _id: i }));
    const err = await failure(h.client.db('limits').command({ insert: 'batch', documents }));
    expect(err.codeName).toBe('InvalidLength');
    expect(await coll('batch').countDocuments()).toBe(0);
    // the driver splits larger bulks by the advertised maxWriteBatchSize
    await coll('batch').insertMany(documents);
    expect(await coll('batch').countDocuments()).toBe(100_001);
  });

  it('closes a connection announcing a message larger than maxMessageSizeBytes', async () => {
    const port = Number(new URL(h.store.url).port);
    const socket = net.connect(port, '127.0.0.1');
    const header = Buffer.alloc(16);
    header.writeInt32LE(48_000_001, 0);
    header.writeInt32LE(2013, 12);
    socket.write(header);
    const closed = await new Promise<boolean>((resolve) => {
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
    });
    expect(closed).toBe(true);
    expect(await coll('size').countDocuments()).toBe(2); // and the store serves everyone else
  });
});

describe('the journal and snapshots with large documents', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('roster-mongo-limits');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('journals a transaction larger than 16 MiB and snapshots many large documents', async () => {
    const child = await spawnStore(['--data-dir', dir]);
    const client = new MongoClient(child.url, { serverSelectionTimeoutMS: 5_000 });
    const c = client.db('app').collection<AnyDoc>('big');
    const nineMiB = 'n'.repeat(9 * 1024 * 1024);
    const session = client.startSession();
    await session.withTransaction(async () => {
      await c.insertOne({ _id: 'one', x: nineMiB }, { session });
      await c.insertOne({ _id: 'two', x: nineMiB }, { session });
    });
    await session.endSession();
    await failure(c.insertOne({ _id: 'refused', x: `${nineMiB}${nineMiB}` }));
    await client.close();
    child.child.kill('SIGKILL');
    await child.exited;

    // recovery replays the transaction's record; a clean stop then snapshots 18 MiB+ of documents
    const logs: string[] = [];
    const store = await startStore({ port: 0, dataDir: dir, logger: (line) => logs.push(line) });
    const again = new MongoClient(store.url);
    const big = again.db('app').collection<AnyDoc>('big');
    await big.insertMany(
      Array.from({ length: 12 }, (_, i) => ({ _id: `mib-${i}`, x: 'm'.repeat(1024 * 1024) })),
    );
    expect(await big.countDocuments()).toBe(14);
    await again.close();
    await store.close();
    expect(logs.filter((l) => l.startsWith('snapshot'))).toEqual([
      expect.stringMatching(/^snapshot of \d+ bytes written in \d+ ms \(at shutdown\)$/),
    ]);
    expect((await readdir(dir)).sort()).toEqual(['journal.1.log', 'snapshot.bson']);

    const restarted = await startStore({ port: 0, dataDir: dir });
    const last = new MongoClient(restarted.url);
    const ids = await last.db('app').collection<AnyDoc>('big').distinct('_id');
    expect(ids.sort()).toEqual([...Array.from({ length: 12 }, (_, i) => `mib-${i}`), 'one', 'two'].sort());
    await last.close();
    await restarted.close();
  });
});
