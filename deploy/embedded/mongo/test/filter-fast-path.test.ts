import { ObjectId } from 'bson';
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import { compileFilter, MINGO_OPTIONS } from '../src/query/mingo.ts';
import type { Doc } from '../src/storage/values.ts';

// Equality and `$in` of scalars are matched without mingo; every such filter must match exactly
// the documents mingo's query engine matches. (Not tabled: arrays nested in arrays under a dotted
// path, e.g. `{ 'a.b': 1 }` against `{ a: [[1]] }`, which mingo matches and MongoDB and the fast
// path do not: MongoDB does not descend into an array inside an array.)

const id = new ObjectId('64b7f0c2a1b2c3d4e5f60718');
const day = new Date('2026-01-02T03:04:05Z');

const docs: Doc[] = [
  {},
  { a: 1 },
  { a: 2 },
  { a: '1' },
  { a: true },
  { a: [1, 3] },
  { a: [] },
  { a: null },
  { a: { b: 1 } },
  { a: [{ b: 1 }, { b: 2 }] },
  { a: [{ b: [2, 3] }] },
  { a: { b: 'x' }, c: id },
  { c: day, a: 3 },
  { c: new ObjectId('64b7f0c2a1b2c3d4e5f60719') },
  { c: new Date(day.getTime() + 1) },
];

const filters: Doc[] = [
  { a: 1 },
  { a: '1' },
  { a: true },
  { a: 3 },
  { 'a.b': 1 },
  { 'a.b': 2 },
  { 'a.b': 'x' },
  { 'a.0': 1 },
  { c: id },
  { c: day },
  { a: { $in: [1, 2] } },
  { a: { $in: ['1', true] } },
  { a: { $in: [] } },
  { 'a.b': { $in: [3, 'x'] } },
  { c: { $in: [id, day] } },
  { a: { $in: [1, 2] }, c: day },
  { a: 3, c: { $in: [day] } },
];

describe('the fast path for equality and $in of scalars', () => {
  it('matches exactly what mingo matches', () => {
    let matched = 0;
    for (const filter of filters) {
      const fast = compileFilter(filter);
      const mingo = new Query(filter, MINGO_OPTIONS);
      for (const doc of docs) {
        const expected = mingo.test(doc);
        expect({ filter, doc, matched: fast(doc) }).toEqual({ filter, doc, matched: expected });
        if (expected) matched++;
      }
    }
    // the table exercises both outcomes
    expect(matched).toBeGreaterThan(20);
  });
});
