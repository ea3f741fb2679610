import type { CompareOperator } from '@roster/contracts';
import { Query } from 'mingo';
import { describe, expect, test } from 'vitest';
import { evaluateFilter } from '../../src/filter/evaluate.ts';
import { parseFilter } from '../../src/filter/parser.ts';
import { filterToMongo } from '../../src/filter/to-mongo.ts';

// Stored times are whole milliseconds (toISOString); the literal lies between .861 and .862.
const LITERAL = '2015-10-10T14:38:21.8617979-07:00';
const SECOND = Date.parse('2015-10-10T21:38:21.000Z');
/** Times in the second of the literal, in its unit (100 ns): the literal is 8,617,979. */
const LITERAL_TICKS = 8_617_979;
const ticksOf = (iso: string) => (Date.parse(iso) - SECOND) * 10_000;
const STORED = ['2015-10-10T21:38:21.860Z', '2015-10-10T21:38:21.861Z', '2015-10-10T21:38:21.862Z'];

const documents = STORED.map((created, i) => ({
  _id: `u${i}`,
  tenant: 't1',
  userNameKey: `u${i}`,
  resource: { userName: `u${i}` },
  meta: { created, lastModified: created, version: 1 },
}));

/** The ids the filter selects, through MongoDB (mingo) and through evaluateFilter: the same, or the test fails. */
const selected = (text: string): string[] => {
  const filter = parseFilter(text, 'User');
  const query = new Query(filterToMongo(filter, 'User'), {});
  const mongo = documents.filter((doc) => query.test(doc)).map((doc) => doc._id);
  const evaluated = documents
    .filter((doc) => evaluateFilter(filter, { id: doc._id, meta: doc.meta, ...doc.resource }, 'User'))
    .map((doc) => doc._id);
  expect(mongo).toEqual(evaluated);
  return mongo;
};

const chronologically: Partial<Record<CompareOperator, (ticks: number) => boolean>> = {
  eq: (ticks) => ticks === LITERAL_TICKS,
  ne: (ticks) => ticks !== LITERAL_TICKS,
  gt: (ticks) => ticks > LITERAL_TICKS,
  ge: (ticks) => ticks >= LITERAL_TICKS,
  lt: (ticks) => ticks < LITERAL_TICKS,
  le: (ticks) => ticks <= LITERAL_TICKS,
};

describe('a dateTime literal finer than a millisecond compares chronologically with stored times', () => {
  test.each(Object.entries(chronologically))('%s', (op, holds) => {
    const expected = documents.filter((doc) => holds!(ticksOf(doc.meta.created))).map((doc) => doc._id);
    expect(selected(`meta.created ${op} ${LITERAL}`)).toEqual(expected);
    expect(selected(`meta.lastModified ${op} "${LITERAL}"`)).toEqual(expected);
  });

  test('trailing zeros past the millisecond are that millisecond', () => {
    expect(selected('meta.created eq 2015-10-10T14:38:21.8610000-07:00')).toEqual(['u1']);
    expect(selected('meta.created ge 2015-10-10T21:38:21.8610000Z')).toEqual(['u1', 'u2']);
  });

  test('offsets and missing milliseconds normalize to the stored form', () => {
    expect(selected('meta.created eq "2015-10-11T00:38:21.862+03:00"')).toEqual(['u2']);
    expect(selected('meta.created lt 2015-10-10T21:38:22Z')).toEqual(['u0', 'u1', 'u2']);
  });
});
