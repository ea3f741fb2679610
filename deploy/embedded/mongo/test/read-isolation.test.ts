import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AnyDoc, type Harness, startHarness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

it('a projected read or an aggregation never changes the stored documents', async () => {
  const coll = h.client.db('reads').collection<AnyDoc>('groups');
  const stored = {
    _id: 'g1',
    resource: { displayName: 'Sales', members: [{ value: 'u1' }] },
    meta: { version: 1 },
  };
  await coll.insertOne(stored);
  expect(await coll.find({}, { projection: { 'resource.members': 0 } }).toArray()).toEqual([
    { _id: 'g1', resource: { displayName: 'Sales' }, meta: { version: 1 } },
  ]);
  await coll.aggregate([{ $unset: 'meta' }, { $project: { resource: 0 } }]).toArray();
  expect(await coll.findOne({ _id: 'g1' })).toEqual(stored);
});
