import type { Filter } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { joined } from '../../src/filter/combine.ts';
import { elementMatcher, elementMatches } from '../../src/filter/evaluate.ts';
import { LIMITS } from '../../src/limits.ts';
import { MESSAGE } from '../../src/messages.ts';
import { planGroupPatch } from '../../src/patch/group-members.ts';
import { normalizePatch } from '../../src/patch/normalize.ts';
import { cmp, G, ref, U } from '../helpers.ts';

// The largest PATCHes a request may carry, planned: the plans are asserted, never the time; a
// plan reads only the ids the PATCH names (its cost does not depend on the group's size), and
// naming them stays linear (a value list is walked once, never once per id).

const BATCH = LIMITS.maxMultiValuedItems;
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => id(from + i));
const members = (ids: readonly string[]) => ids.map((value) => ({ value }));

const memberPlan = (...Operations: unknown[]) =>
  planGroupPatch(normalizePatch({ schemas: [MESSAGE.patchOp], Operations }, 'Group')).members;
const add = (ids: readonly string[]) => ({ op: 'add', path: 'members', value: members(ids) });
const entraRemoval = (ids: readonly string[]) => ({ op: 'Remove', path: 'members', value: members(ids) });

describe('PATCHes naming thousands of members', () => {
  test('5,000 ids named in five overlapping additions are planned once each, in the order first named', () => {
    const operations = [0, 500, 1_000, 1_500, 2_000].map((from) => add(range(from, BATCH)));
    expect(memberPlan(...operations)).toEqual({ replaced: false, added: range(0, 3_000), removed: [] });
  });

  test("Entra's removal of 4,000 members by value lists of 1,000 plans exactly those ids", () => {
    const operations = [0, 1, 2, 3].map((batch) => entraRemoval(range(batch * BATCH, BATCH)));
    expect(memberPlan(...operations)).toEqual({ replaced: false, added: [], removed: range(0, 4_000) });
  });

  test('a path filter of 1,000 ids (value eq … or …) plans the removal of exactly those', () => {
    const ids = range(0, BATCH);
    const path = `members[${ids.map((member) => `value eq "${member}"`).join(' or ')}]`;
    expect(memberPlan({ op: 'remove', path }).removed).toEqual(ids);
  });

  test('1,000 removed and half of them added back: the plan keeps the last word on each id', () => {
    const removed = range(0, BATCH);
    const plan = memberPlan(entraRemoval(removed), add(removed.slice(0, BATCH / 2)));
    expect(plan).toEqual({
      replaced: false,
      added: removed.slice(0, BATCH / 2),
      removed: removed.slice(BATCH / 2),
    });
  });
});

describe('elementMatcher answers as elementMatches does', () => {
  const emails = [
    { value: 'Ada@Example.com', type: 'work' },
    { value: 'ada@home.org', type: 'home' },
    { value: 'x@y.z' },
  ];
  const emailsRef = ref('emails', U);
  const anyOf = (path: string, values: string[]): Filter =>
    joined(
      'or',
      values.map((value) => cmp(ref(path), 'eq', value)),
    );

  test.each<[string, Filter]>([
    ['case-insensitive value list', anyOf('emails.value', ['ada@example.COM', 'nobody@x.y'])],
    ['case-exact value list', anyOf('emails.type', ['WORK', 'home'])],
    [
      'mixed paths fall back to evaluation',
      joined('or', [cmp(ref('emails.type'), 'eq', 'work'), cmp(ref('emails.value'), 'eq', 'x@y.z')]),
    ],
    [
      'not only eq falls back to evaluation',
      joined('or', [cmp(ref('emails.value'), 'sw', 'ada'), cmp(ref('emails.type'), 'eq', 'home')]),
    ],
  ])('%s', (_, filter) => {
    const matcher = elementMatcher(filter, emailsRef, 'User');
    expect(emails.map(matcher)).toEqual(emails.map((e) => elementMatches(filter, e, emailsRef, 'User')));
  });

  test('member ids are case-exact through the Set too', () => {
    const filter = joined(
      'or',
      ['abc', 'def'].map((value) => cmp(ref('members.value', G), 'eq', value)),
    );
    const matcher = elementMatcher(filter, ref('members', G), 'Group');
    expect([matcher({ value: 'abc' }), matcher({ value: 'ABC' }), matcher({ value: 'xyz' })]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
