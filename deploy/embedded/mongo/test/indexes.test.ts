import { waitFor } from '@roster/test-support';
import { MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, type Harness, startHarness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ttlMonitorIntervalMs: 100 });
});
afterAll(async () => {
  await h?.close();
});

const db = () => h.client.db('idx');

async function scanned(): Promise<number> {
  const status = await db().admin().command({ serverStatus: 1 });
  return status.metrics.queryExecutor.scannedObjects as number;
}

describe('indexes', () => {
  it('enforces a unique index with DuplicateKey 11000, keyPattern and keyValue', async () => {
    const c = db().collection('unique');
    const name = await c.createIndex({ email: 1 }, { unique: true });
    expect(name).toBe('email_1');
    await c.insertOne({ email: 'a@x' });
    const err = (await c.insertOne({ email: 'a@x' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'a@x' });
    expect(err.message).toContain('E11000 duplicate key error collection: idx.unique index: email_1');

    // update into a duplicate: writeError on update
    await c.insertOne({ email: 'b@x' });
    const upd = (await c
      .updateOne({ email: 'b@x' }, { $set: { email: 'a@x' } })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(upd.code).toBe(11000);
    expect(upd.keyValue).toEqual({ email: 'a@x' });

    // findAndModify: top-level error
    const fam = (await c
      .findOneAndUpdate({ email: 'b@x' }, { $set: { email: 'a@x' } })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(fam.code).toBe(11000);
    expect(fam.codeName).toBe('DuplicateKey');
    expect(fam.keyPattern).toEqual({ email: 1 });

    // a missing field counts as null in a non-sparse unique index
    await c.insertOne({ other: 1 });
    const nulls = (await c.insertOne({ other: 2 }).catch((e: unknown) => e)) as MongoServerError;
    expect(nulls.code).toBe(11000);
    expect(nulls.keyValue).toEqual({ email: null });

    // duplicate _id
    const id = (await c
      .insertOne({ _id: (await c.findOne({ email: 'a@x' }))!._id })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(id.code).toBe(11000);
    expect(id.keyPattern).toEqual({ _id: 1 });
  });

  it('enforces compound unique indexes on the key tuple', async () => {
    const c = db().collection('compound');
    await c.createIndex({ tenant: 1, externalId: 1 }, { unique: true });
    await c.insertMany([
      { tenant: 't1', externalId: 'e1' },
      { tenant: 't2', externalId: 'e1' },
      { tenant: 't1', externalId: 'e2' },
    ]);
    const err = (await c
      .insertOne({ tenant: 't2', externalId: 'e1' })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ tenant: 1, externalId: 1 });
    expect(err.keyValue).toEqual({ tenant: 't2', externalId: 'e1' });
    expect(await c.findOne({ tenant: 't1', externalId: 'e2' }, { projection: { _id: 0 } })).toEqual({
      tenant: 't1',
      externalId: 'e2',
    });
  });

  it('indexes every array element (multikey) for uniqueness and lookups', async () => {
    const c = db().collection<AnyDoc>('multikey');
    await c.createIndex({ aliases: 1 }, { unique: true });
    await c.insertOne({ _id: 'm1', aliases: ['a', 'b', 'b'] });
    const err = (await c
      .insertOne({ _id: 'm2', aliases: ['c', 'b'] })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ aliases: 'b' });
    await c.insertOne({ _id: 'm3', aliases: ['c'] });
    const before = await scanned();
    expect((await c.findOne({ aliases: 'b' }))?._id).toBe('m1');
    expect((await scanned()) - before).toBe(1);
    await c.updateOne({ _id: 'm1' }, { $pull: { aliases: 'b' } } as AnyDoc);
    await c.insertOne({ _id: 'm4', aliases: ['b'] });
    expect(
      (await c.find({ aliases: { $in: ['a', 'b'] } }, { sort: { _id: 1 } }).toArray()).map((d) => d._id),
    ).toEqual(['m1', 'm4']);
  });

  it('sparse unique indexes ignore documents without the field', async () => {
    const c = db().collection('sparse');
    await c.createIndex({ nick: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ a: 1 }, { a: 2 }, { nick: 'x' }]);
    const err = (await c.insertOne({ nick: 'x' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect(await c.countDocuments({ nick: null })).toBe(2);
  });

  it('partial unique indexes only cover matching documents', async () => {
    const c = db().collection('partial');
    await c.createIndex({ userName: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await c.insertMany([
      { userName: 'bob', active: false },
      { userName: 'bob', active: false },
      { userName: 'bob', active: true },
    ]);
    const err = (await c
      .insertOne({ userName: 'bob', active: true })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    // deactivating frees the key
    await c.updateOne({ userName: 'bob', active: true }, { $set: { active: false } });
    await c.insertOne({ userName: 'bob', active: true });
    expect(await c.countDocuments({ userName: 'bob' })).toBe(4);
  });

  it('refuses to build a unique index over existing duplicates', async () => {
    const c = db().collection('dups');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    const err = (await c
      .createIndex({ k: 1 }, { unique: true })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('lists, re-creates idempotently and drops indexes', async () => {
    const c = db().collection('listing');
    await c.createIndex({ a: 1 });
    await c.createIndex({ b: -1, c: 1 }, { name: 'bc' });
    expect(await c.createIndex({ a: 1 })).toBe('a_1');
    const list = await c.listIndexes().toArray();
    expect(list.map((i) => i.name)).toEqual(['_id_', 'a_1', 'bc']);
    expect(list[2]!.key).toEqual({ b: -1, c: 1 });
    const conflict = (await c
      .createIndex({ z: 1 }, { name: 'bc' })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(conflict.code).toBe(86);
    await c.dropIndex('a_1');
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_', 'bc']);
    const missing = (await c.dropIndex('nope').catch((e: unknown) => e)) as MongoServerError;
    expect(missing.code).toBe(27);
    await c.dropIndexes();
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('answers equality on an indexed key without scanning', async () => {
    const c = db().collection('big');
    await c.createIndex({ key: 1 }, { unique: true });
    await c.createIndex({ group: 1, slot: 1 });
    const n = 20_000;
    const batch = 5_000;
    for (let i = 0; i < n; i += batch) {
      await c.insertMany(
        Array.from({ length: batch }, (_, j) => ({
          key: `k${i + j}`,
          group: (i + j) % 10,
          slot: (i + j) % 7,
        })),
        { ordered: false },
      );
    }
    const before = await scanned();
    const doc = await c.findOne({ key: `k${n - 1}` });
    expect(doc?.key).toBe(`k${n - 1}`);
    expect(await c.countDocuments({ key: 'k42' })).toBe(1);
    await c.updateOne({ key: 'k7' }, { $set: { touched: true } });
    await c.findOneAndUpdate({ key: 'k8' }, { $set: { touched: true } });
    await c.deleteOne({ key: 'k9' });
    const byId = await c.findOne({ _id: doc!._id });
    expect(byId?.key).toBe(doc?.key);
    const after = await scanned();
    expect(after - before).toBe(6);

    const expected = Array.from({ length: n }, (_, i) => i).filter(
      (i) => i % 10 === 3 && i % 7 === 5 && i !== 9,
    ).length;
    const s0 = await scanned();
    expect(await c.countDocuments({ group: 3, slot: 5 })).toBe(expected);
    expect((await scanned()) - s0).toBe(expected);

    // equality inside a top-level $and, and on a leading prefix of the compound index
    const s1 = await scanned();
    expect(await c.countDocuments({ $and: [{ group: 3 }, { slot: 5 }] })).toBe(expected);
    expect((await scanned()) - s1).toBe(expected);
    const inGroup = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 === 4 && i !== 9).length;
    const s2 = await scanned();
    expect(await c.countDocuments({ group: 4, slot: { $gte: 0 } })).toBe(inGroup);
    expect((await scanned()) - s2).toBe(inGroup);
    // $in on indexed fields looks up each value (here every group × slot pair) instead of scanning
    const picked = Array.from({ length: n }, (_, i) => i).filter(
      (i) => i % 10 === 3 && [1, 5].includes(i % 7) && i !== 9,
    ).length;
    const sIn = await scanned();
    expect(await c.countDocuments({ group: 3, slot: { $in: [1, 5] } })).toBe(picked);
    expect((await scanned()) - sIn).toBe(picked);
    const sKeys = await scanned();
    expect(await c.countDocuments({ key: { $in: ['k1', 'k2', 'missing'] } })).toBe(2);
    expect((await scanned()) - sKeys).toBe(2);
    // index maintenance on update: the prefix entries move with the documents
    await c.updateMany({ group: 4 }, { $set: { group: 40 } });
    const s3 = await scanned();
    expect(await c.countDocuments({ group: 4 })).toBe(0);
    expect(await c.countDocuments({ group: 40 })).toBe(inGroup);
    expect((await scanned()) - s3).toBe(inGroup);
  });

  it('expires documents through a TTL index', async () => {
    const c = db().collection('ttl');
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 5 });
    const now = Date.now();
    await c.insertMany([
      { k: 'old', at: new Date(now - 60_000) },
      { k: 'older', at: [new Date(now - 120_000), new Date(now + 60_000)] },
      { k: 'fresh', at: new Date(now) },
      { k: 'no-date', at: 'yesterday' },
    ]);
    const left = await waitFor(async () => {
      const ks = (await c.find({}, { sort: { k: 1 } }).toArray()).map((d) => d.k);
      return ks.length === 2 ? ks : undefined;
    });
    expect(left).toEqual(['fresh', 'no-date']);
  });

  it('honours case-insensitive collations on unique indexes and queries', async () => {
    const c = db().collection('collation');
    const ci = { locale: 'en', strength: 2 } as const;
    await c.createIndex({ userName: 1 }, { unique: true, collation: ci });
    await c.insertOne({ userName: 'Bjensen' });
    const err = (await c.insertOne({ userName: 'bJENSEN' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    await c.insertOne({ userName: 'alice' });
    expect((await c.findOne({ userName: 'BJENSEN' }, { collation: ci }))?.userName).toBe('Bjensen');
    expect(await c.findOne({ userName: 'BJENSEN' })).toBeNull();
    expect(await c.countDocuments({ userName: 'ALICE' }, { collation: ci })).toBe(1);
    const sorted = await c.find({}, { collation: ci, sort: { userName: 1 } }).toArray();
    expect(sorted.map((d) => d.userName)).toEqual(['alice', 'Bjensen']);
    const upd = await c.updateOne({ userName: 'ALICE' }, { $set: { seen: true } }, { collation: ci });
    expect(upd.modifiedCount).toBe(1);
    const before = await scanned();
    await c.findOne({ userName: 'aLiCe' }, { collation: ci });
    expect((await scanned()) - before).toBe(1);
  });
});
