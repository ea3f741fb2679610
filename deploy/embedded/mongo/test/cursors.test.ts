import { Long, type MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, type Harness, startHarness } from './helpers.ts';

let h: Harness;
const N = 57;
beforeAll(async () => {
  h = await startHarness();
  await h.client
    .db('cur')
    .collection<AnyDoc>('items')
    .insertMany(Array.from({ length: N }, (_, i) => ({ _id: i, v: N - i, parity: i % 2 })));
});
afterAll(async () => {
  await h?.close();
});

const items = () => h.client.db('cur').collection<AnyDoc>('items');

describe('cursors', () => {
  it('pages through results with getMore using small batches', async () => {
    const docs = await items().find({}, { batchSize: 5 }).toArray();
    expect(docs.map((d) => d._id)).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('applies sort, skip, limit and projection across batches', async () => {
    const expected = Array.from({ length: N }, (_, i) => ({ _id: i, v: N - i, parity: i % 2 }))
      .filter((d) => d.parity === 1)
      .sort((a, b) => a.v - b.v)
      .slice(3, 3 + 11)
      .map((d) => ({ v: d.v }));
    const got = await items()
      .find({ parity: 1 }, { batchSize: 4, projection: { _id: 0, v: 1 } })
      .sort({ v: 1 })
      .skip(3)
      .limit(11)
      .toArray();
    expect(got).toEqual(expected);
  });

  it('returns cursor ids as int64 and reports CursorNotFound (43) after killCursors', async () => {
    const db = h.client.db('cur');
    const first = await db.command({ find: 'items', batchSize: 2 }, { promoteLongs: false });
    expect(first.cursor.firstBatch).toHaveLength(2);
    const id = first.cursor.id;
    expect(id).toBeInstanceOf(Long);
    expect(Long.isLong(id) && !id.isZero()).toBe(true);
    const more = await db.command(
      { getMore: id, collection: 'items', batchSize: 3 },
      { promoteLongs: false },
    );
    expect(more.cursor.nextBatch.map((d: { _id: unknown }) => Number(d._id))).toEqual([2, 3, 4]);
    const killed = await db.command({ killCursors: 'items', cursors: [id] });
    expect(killed.cursorsKilled.map(String)).toEqual([String(id)]);
    const err = (await db
      .command({ getMore: id, collection: 'items' })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(43);
    expect(err.codeName).toBe('CursorNotFound');
  });

  it('closes a driver cursor early (killCursors) without disturbing others', async () => {
    const a = items().find({}, { batchSize: 3 });
    const b = items().find({}, { batchSize: 3 });
    expect((await a.next())?._id).toBe(0);
    expect((await b.next())?._id).toBe(0);
    await a.close();
    let count = 1;
    for await (const _ of b) count++;
    expect(count).toBe(N);
  });

  it('streams aggregate results across getMore', async () => {
    const got = await items()
      .aggregate([{ $match: { parity: 0 } }, { $project: { _id: 1 } }], { batchSize: 4 })
      .toArray();
    expect(got.length).toBe(Math.ceil(N / 2));
  });
});
