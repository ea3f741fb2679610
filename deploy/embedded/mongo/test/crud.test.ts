import { Long, MongoBulkWriteError, MongoServerError, ObjectId } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnyDoc, type Harness, startHarness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const db = () => h.client.db('crud');
const coll = (name: string) => db().collection<AnyDoc>(name);

describe('handshake and admin commands', () => {
  it('counts the commands it serves in serverStatus metrics.commands, as MongoDB does', async () => {
    const commands = async () =>
      ((await db().admin().command({ serverStatus: 1 })).metrics.commands ?? {}) as Record<
        string,
        { total: number; failed: number }
      >;
    const before = await commands();
    const counted = coll('counted');
    await counted.insertOne({ _id: 'a' } as AnyDoc);
    await counted.insertOne({ _id: 'b' } as AnyDoc);
    await counted.insertMany([{ _id: 'c' }, { _id: 'd' }] as AnyDoc[]);
    await counted.findOne({ _id: 'a' });
    await expect(counted.insertOne({ _id: 'a' } as AnyDoc)).rejects.toThrow(MongoServerError);
    await expect(db().command({ noSuchCommand: 1 })).rejects.toThrow(MongoServerError);
    const after = await commands();
    const delta = (name: string) => ({
      total: (after[name]?.total ?? 0) - (before[name]?.total ?? 0),
      failed: (after[name]?.failed ?? 0) - (before[name]?.failed ?? 0),
    });
    // One command per round trip: insertMany's two documents are one insert.
    expect(delta('insert')).toEqual({ total: 4, failed: 0 });
    expect(delta('find')).toEqual({ total: 1, failed: 0 });
    expect(delta('<UNKNOWN>')).toEqual({ total: 1, failed: 1 });
  });

  it('answers hello as the primary of a one-member replica set', async () => {
    const hello = await db().admin().command({ hello: 1 });
    const me = new URL(h.store.url).host;
    expect(hello.ok).toBe(1);
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.setName).toBe('rs0');
    expect(hello.hosts).toEqual([me]);
    expect(hello.primary).toBe(me);
    expect(hello.me).toBe(me);
    expect(hello.maxWireVersion).toBe(21);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    expect(hello.topologyVersion).toBeUndefined();
    expect(hello.localTime).toBeInstanceOf(Date);
    const legacy = await db().admin().command({ isMaster: 1 });
    expect(legacy.ismaster).toBe(true);
    expect(await db().admin().command({ ping: 1 })).toEqual({ ok: 1 });
    expect((await db().admin().command({ buildInfo: 1 })).versionArray[0]).toBe(7);
    const param = await db().admin().command({ getParameter: 1, featureCompatibilityVersion: 1 });
    expect(param.featureCompatibilityVersion).toEqual({ version: '7.0' });
  });

  it('uses the configured replica set name in the URL and hello', async () => {
    const other = await startHarness({ replSet: 'devset' });
    try {
      expect(other.store.url).toBe(`mongodb://127.0.0.1:${other.store.port}/?replicaSet=devset`);
      expect((await other.client.db('admin').command({ hello: 1 })).setName).toBe('devset');
      await other.client.db('x').collection('y').insertOne({ ok: true });
    } finally {
      await other.close();
    }
  });

  it('rejects unknown commands with CommandNotFound (59)', async () => {
    const err = await db()
      .command({ frobnicate: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(59);
    expect((err as MongoServerError).codeName).toBe('CommandNotFound');
  });

  it('creates, lists and drops collections and databases', async () => {
    const d = h.client.db('ddl');
    await d.createCollection('a');
    await d.collection('b').insertOne({ x: 1 });
    const names = (await d.listCollections().toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['a', 'b']);
    const dbs = await h.client.db().admin().listDatabases();
    expect(dbs.databases.map((x) => x.name)).toContain('ddl');
    expect(await d.collection('a').drop()).toBe(true);
    expect((await d.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name)).toEqual(['b']);
    await d.collection('b').rename('c');
    expect((await d.listCollections().toArray()).map((c) => c.name)).toEqual(['c']);
    expect(await d.collection('c').findOne({}, { projection: { _id: 0 } })).toEqual({ x: 1 });
    expect((await d.stats()).objects).toBe(1);
    await d.dropDatabase();
    expect((await h.client.db().admin().listDatabases()).databases.map((x) => x.name)).not.toContain('ddl');
  });
});

describe('insert / update / replace / delete', () => {
  const users = () => coll('users');
  beforeEach(async () => {
    await users().deleteMany({});
  });

  it('inserts one and many, generating ObjectIds', async () => {
    const one = await users().insertOne({ name: 'ada' });
    expect(one.insertedId).toBeInstanceOf(ObjectId);
    const docs = Array.from({ length: 5 }, (_, i) => ({ _id: `u${i}`, i }));
    const many = await users().insertMany(docs);
    expect(many.insertedCount).toBe(docs.length);
    expect(await users().countDocuments()).toBe(docs.length + 1);
    expect(await users().findOne({ _id: 'u3' })).toEqual(docs[3]);
    expect(await users().estimatedDocumentCount()).toBe(docs.length + 1);
  });

  it('preserves BSON types through a round trip', async () => {
    const when = new Date('2024-05-06T07:08:09.123Z');
    const oid = new ObjectId();
    await users().insertOne({
      _id: 'types',
      when,
      oid,
      nested: { arr: [1, 'two', { three: 3 }] },
      big: Long.fromString('9007199254740993'),
      f: 1.5,
      nil: null,
    });
    const got = await users().findOne({ _id: 'types' });
    expect(got?.when).toEqual(when);
    expect(got?.oid.equals(oid)).toBe(true);
    expect(got?.nested).toEqual({ arr: [1, 'two', { three: 3 }] });
    expect(String(got?.big)).toBe('9007199254740993');
    expect(got?.f).toBe(1.5);
    expect(got?.nil).toBeNull();
  });

  it('updates with operators, multi, and arrayFilters', async () => {
    await users().insertMany([
      { _id: 1, n: 1, tags: ['a'], grades: [{ g: 80 }, { g: 95 }] },
      { _id: 2, n: 2, tags: [], grades: [{ g: 70 }] },
      { _id: 3, n: 3, tags: ['a', 'b'], grades: [] },
    ]);
    const r1 = await users().updateOne(
      { _id: 1 },
      { $inc: { n: 10 }, $push: { tags: 'z' } as AnyDoc, $set: { 'sub.x': true } },
    );
    expect(r1.matchedCount).toBe(1);
    expect(r1.modifiedCount).toBe(1);
    expect(await users().findOne({ _id: 1 })).toMatchObject({ n: 11, tags: ['a', 'z'], sub: { x: true } });

    const r2 = await users().updateMany(
      { n: { $lt: 5 } },
      { $unset: { tags: '' }, $currentDate: { touched: true } },
    );
    expect(r2.matchedCount).toBe(2);
    expect(r2.modifiedCount).toBe(2);
    const touched = await users()
      .find({ touched: { $exists: true } })
      .toArray();
    expect(touched.map((d) => d._id).sort()).toEqual([2, 3]);

    const r3 = await users().updateOne(
      { _id: 1 },
      { $set: { 'grades.$[low].g': 90 } },
      { arrayFilters: [{ 'low.g': { $lt: 90 } }] },
    );
    expect(r3.modifiedCount).toBe(1);
    expect((await users().findOne({ _id: 1 }))?.grades).toEqual([{ g: 90 }, { g: 95 }]);

    const noop = await users().updateOne({ _id: 2 }, { $set: { n: 2 } });
    expect(noop.matchedCount).toBe(1);
    expect(noop.modifiedCount).toBe(0);

    const none = await users().updateOne({ _id: 99 }, { $set: { n: 1 } });
    expect(none.matchedCount).toBe(0);
  });

  it('updates the first array match with the positional operator', async () => {
    await users().insertOne({
      _id: 'p',
      items: [
        { k: 'a', v: 1 },
        { k: 'b', v: 2 },
      ],
    });
    await users().updateOne({ _id: 'p', 'items.k': 'b' }, { $set: { 'items.$.v': 20 } });
    expect((await users().findOne({ _id: 'p' }))?.items).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 20 },
    ]);
  });

  it('replaces documents and keeps _id immutable (66)', async () => {
    await users().insertOne({ _id: 'r', a: 1, b: 2 });
    const r = await users().replaceOne({ _id: 'r' }, { c: 3 });
    expect(r.modifiedCount).toBe(1);
    expect(await users().findOne({ _id: 'r' })).toEqual({ _id: 'r', c: 3 });
    const e1 = await users()
      .replaceOne({ _id: 'r' }, { _id: 'other', c: 4 })
      .catch((e: unknown) => e);
    expect((e1 as MongoServerError).code).toBe(66);
    const e2 = await users()
      .updateOne({ _id: 'r' }, { $set: { _id: 'changed' } })
      .catch((e: unknown) => e);
    expect((e2 as MongoServerError).code).toBe(66);
    expect(await users().findOne({ _id: 'r' })).toEqual({ _id: 'r', c: 3 });
  });

  it('raises the server type errors for operators on the wrong types', async () => {
    await users().insertOne({ _id: 't', name: 'x', list: [1] });
    const inc = (await users()
      .updateOne({ _id: 't' }, { $inc: { name: 1 } })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(inc.code).toBe(14);
    const push = (await users()
      .updateOne({ _id: 't' }, { $push: { name: 1 } } as AnyDoc)
      .catch((e: unknown) => e)) as MongoServerError;
    expect(push.code).toBe(2);
    const arg = (await users()
      .updateOne({ _id: 't' }, { $inc: { n: 'one' } } as AnyDoc)
      .catch((e: unknown) => e)) as MongoServerError;
    expect(arg.code).toBe(14);
    const conflict = (await users()
      .updateOne({ _id: 't' }, { $set: { 'list.0': 2 }, $push: { list: 3 } } as AnyDoc)
      .catch((e: unknown) => e)) as MongoServerError;
    expect(conflict.code).toBe(40);
    expect(await users().findOne({ _id: 't' })).toEqual({ _id: 't', name: 'x', list: [1] });
  });

  it('projects with _id first and supports $elemMatch / exclusion projections', async () => {
    await users().insertOne({ _id: 'pj', a: 1, b: { c: 2, d: 3 }, arr: [{ k: 1 }, { k: 2 }] });
    const inc = await users().findOne(
      { _id: 'pj' },
      { projection: { 'b.c': 1, arr: { $elemMatch: { k: 2 } } } },
    );
    expect(inc).toEqual({ _id: 'pj', b: { c: 2 }, arr: [{ k: 2 }] });
    expect(Object.keys(inc ?? {})[0]).toBe('_id');
    expect(await users().findOne({ _id: 'pj' }, { projection: { b: 0, arr: 0 } })).toEqual({
      _id: 'pj',
      a: 1,
    });
  });

  it('rejects unknown update operators', async () => {
    await users().insertOne({ _id: 'u' });
    const err = await users()
      .updateOne({ _id: 'u' }, { $frob: { a: 1 } } as never)
      .catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(9);
  });

  it('upserts with $setOnInsert applied only on insert', async () => {
    const filter = { email: 'new@example.com' };
    const update = { $set: { seen: 1 }, $setOnInsert: { createdBy: 'upsert' } };
    const first = await users().updateOne(filter, update, { upsert: true });
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    const created = await users().findOne(filter);
    expect(created).toMatchObject({ email: filter.email, seen: 1, createdBy: 'upsert' });
    const second = await users().updateOne(
      filter,
      { $set: { seen: 2 }, $setOnInsert: { createdBy: 'again' } },
      { upsert: true },
    );
    expect(second.upsertedCount).toBe(0);
    expect(second.modifiedCount).toBe(1);
    expect(await users().findOne(filter)).toMatchObject({ seen: 2, createdBy: 'upsert' });
  });

  it('findOneAndUpdate / findOneAndReplace / findOneAndDelete', async () => {
    const after = await users().findOneAndUpdate(
      { _id: 'fam' },
      { $inc: { n: 1 }, $setOnInsert: { created: true } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(after).toEqual({ _id: 'fam', n: 1, created: true });
    const before = await users().findOneAndUpdate({ _id: 'fam' }, { $inc: { n: 1 } });
    expect(before?.n).toBe(1);
    const meta = await users().findOneAndUpdate(
      { _id: 'fam' },
      { $inc: { n: 1 } },
      { returnDocument: 'after', includeResultMetadata: true, projection: { n: 1, _id: 0 } },
    );
    expect(meta.value).toEqual({ n: 3 });
    expect(meta.lastErrorObject?.updatedExisting).toBe(true);
    const missing = await users().findOneAndUpdate({ _id: 'nope' }, { $set: { a: 1 } });
    expect(missing).toBeNull();

    await users().insertMany([
      { _id: 's1', rank: 3 },
      { _id: 's2', rank: 1 },
      { _id: 's3', rank: 2 },
    ]);
    const lowest = await users().findOneAndDelete({ rank: { $exists: true } }, { sort: { rank: 1 } });
    expect(lowest?._id).toBe('s2');
    const replaced = await users().findOneAndReplace(
      { _id: 's1' },
      { rank: 30 },
      { returnDocument: 'after' },
    );
    expect(replaced).toEqual({ _id: 's1', rank: 30 });
    expect(await users().countDocuments({ rank: { $exists: true } })).toBe(2);
  });

  it('deletes one and many', async () => {
    await users().insertMany(Array.from({ length: 10 }, (_, i) => ({ i, even: i % 2 === 0 })));
    const one = await users().deleteOne({ even: true });
    expect(one.deletedCount).toBe(1);
    const many = await users().deleteMany({ even: true });
    expect(many.deletedCount).toBe(4);
    expect(await users().countDocuments()).toBe(5);
  });

  it('reports bulkWrite errors with the statement index (ordered and unordered)', async () => {
    await users().insertOne({ _id: 'taken' });
    const ops = [
      { insertOne: { document: { _id: 'b1' } } },
      { insertOne: { document: { _id: 'taken' } } },
      { updateOne: { filter: { _id: 'b1' }, update: { $set: { x: 1 } } } },
      { insertOne: { document: { _id: 'taken' } } },
      { deleteOne: { filter: { _id: 'b1' } } },
    ];
    const ordered = (await users()
      .bulkWrite(ops, { ordered: true })
      .catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    const orderedErrors = Array.isArray(ordered.writeErrors) ? ordered.writeErrors : [ordered.writeErrors];
    expect(orderedErrors.map((e) => e.index)).toEqual([1]);
    expect(orderedErrors[0]!.code).toBe(11000);
    expect(ordered.result.insertedCount).toBe(1);
    expect(await users().findOne({ _id: 'b1' })).toEqual({ _id: 'b1' });

    await users().deleteOne({ _id: 'b1' });
    const unordered = (await users()
      .bulkWrite(ops, { ordered: false })
      .catch((e: unknown) => e)) as MongoBulkWriteError;
    const unorderedErrors = Array.isArray(unordered.writeErrors)
      ? unordered.writeErrors
      : [unordered.writeErrors];
    expect(unorderedErrors.map((e) => e.index).sort()).toEqual([1, 3]);
    expect(unordered.result.insertedCount).toBe(1);
    expect(unordered.result.modifiedCount).toBe(1);
    expect(unordered.result.deletedCount).toBe(1);
    expect(await users().findOne({ _id: 'b1' })).toBeNull();
  });

  it('counts and distincts', async () => {
    const docs = Array.from({ length: 20 }, (_, i) => ({
      i,
      color: ['red', 'green', 'blue'][i % 3],
      tags: [`t${i % 4}`],
    }));
    await users().insertMany(docs);
    expect(await users().countDocuments({ color: 'red' })).toBe(docs.filter((d) => d.color === 'red').length);
    expect(await users().countDocuments({}, { skip: 5, limit: 7 })).toBe(7);
    expect((await users().distinct('color')).sort()).toEqual(['blue', 'green', 'red']);
    expect((await users().distinct('tags', { i: { $lt: 2 } })).sort()).toEqual(['t0', 't1']);
    expect((await db().command({ count: 'users', query: { i: { $gte: 15 } } })).n).toBe(
      docs.filter((d) => d.i >= 15).length,
    );
  });
});
