import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, type Harness, startHarness } from './helpers.ts';

let h: Harness;
const orders = [
  { _id: 1, customer: 'c1', amount: 10, items: ['a', 'b'] },
  { _id: 2, customer: 'c2', amount: 25, items: ['a'] },
  { _id: 3, customer: 'c1', amount: 5, items: ['c'] },
  { _id: 4, customer: 'c3', amount: 40, items: [] },
  { _id: 5, customer: 'c2', amount: 15, items: ['b', 'c'] },
];
const customers = [
  { _id: 'c1', name: 'Ada' },
  { _id: 'c2', name: 'Grace' },
  { _id: 'c3', name: 'Linus' },
];

beforeAll(async () => {
  h = await startHarness();
  await h.client.db('agg').collection<AnyDoc>('orders').insertMany(orders);
  await h.client.db('agg').collection<AnyDoc>('customers').insertMany(customers);
});
afterAll(async () => {
  await h?.close();
});

const db = () => h.client.db('agg');

describe('aggregate', () => {
  it('groups, sorts and limits', async () => {
    const totals = new Map<string, number>();
    for (const o of orders) totals.set(o.customer, (totals.get(o.customer) ?? 0) + o.amount);
    const expected = [...totals.entries()]
      .map(([_id, total]) => ({ _id, total }))
      .sort((a, b) => b.total - a.total)
      .slice(0, 2);
    const got = await db()
      .collection<AnyDoc>('orders')
      .aggregate([
        { $group: { _id: '$customer', total: { $sum: '$amount' } } },
        { $sort: { total: -1 } },
        { $limit: 2 },
      ])
      .toArray();
    expect(got).toEqual(expected);
  });

  it('joins with $lookup', async () => {
    const got = await db()
      .collection<AnyDoc>('orders')
      .aggregate([
        { $match: { amount: { $gte: 15 } } },
        { $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } },
        { $unwind: '$who' },
        { $project: { _id: 1, name: '$who.name' } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    const names = new Map(customers.map((c) => [c._id, c.name]));
    expect(got).toEqual(
      orders.filter((o) => o.amount >= 15).map((o) => ({ _id: o._id, name: names.get(o.customer) })),
    );
    // the stored documents are not modified by the pipeline
    expect(await db().collection<AnyDoc>('orders').findOne({ _id: 2 })).toEqual(orders[1]);
  });

  it('counts with countDocuments ($match + $group) and $count', async () => {
    expect(await db().collection<AnyDoc>('orders').countDocuments({ customer: 'c1' })).toBe(
      orders.filter((o) => o.customer === 'c1').length,
    );
    const [c] = await db()
      .collection<AnyDoc>('orders')
      .aggregate([{ $unwind: '$items' }, { $count: 'n' }])
      .toArray();
    expect(c).toEqual({ n: orders.reduce((s, o) => s + o.items.length, 0) });
  });

  it('reports pipeline errors as command errors', async () => {
    const err = await db()
      .collection<AnyDoc>('orders')
      .aggregate([{ $bogus: {} }])
      .toArray()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: number }).code).toBeTypeOf('number');
  });
});
