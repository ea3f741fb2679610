import type { Filter, GroupAttributes } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { joined } from '../../src/filter/combine.ts';
import { elementMatcher, elementMatches } from '../../src/filter/evaluate.ts';
import { MESSAGE } from '../../src/messages.ts';
import { patchGroupAttributes } from '../../src/patch/apply.ts';
import { normalizePatch } from '../../src/patch/normalize.ts';
import { cmp, G, op, ref, U } from '../helpers.ts';

// Large inputs through the pure PATCH engine: the results are asserted, never the time; before
// the engine was linear these took minutes (appendNew was O(n²), a value list O(n × values)).

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const members = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ value: id(from + i) }));
const group = (count: number): GroupAttributes => ({ displayName: 'Everyone', members: members(0, count) });

const applied = (result: GroupAttributes | Error): GroupAttributes => {
  if (result instanceof Error) throw result;
  return result;
};

describe('PATCH on large groups', () => {
  test('adding 5,000 members, half of them already there, keeps each member once, in order', () => {
    const result = applied(
      patchGroupAttributes(group(5_000), [op('add', 'members', members(2_500, 5_000), G)]),
    );
    expect(result.members).toHaveLength(7_500);
    expect(new Set(result.members.map((m) => m.value)).size).toBe(7_500);
    expect(result.members.at(-1)).toEqual({ value: id(7_499) });
  });

  test('a repeated member differing only in display is the same member', () => {
    const result = applied(
      patchGroupAttributes(group(2), [
        op('add', 'members', [{ value: id(1), display: 'One' }, { value: id(2) }], G),
      ]),
    );
    expect(result.members.map((m) => m.value)).toEqual([id(0), id(1), id(2)]);
  });

  test("Entra's removal of 1,000 members by value list from a 10,000-member group", () => {
    const body = {
      schemas: [MESSAGE.patchOp],
      Operations: [{ op: 'Remove', path: 'members', value: members(0, 4_000).filter((_, i) => i % 4 === 0) }],
    };
    const removeEveryFourth = normalizePatch(body, 'Group');
    const result = applied(patchGroupAttributes(group(10_000), removeEveryFourth));
    expect(result.members).toHaveLength(9_000);
    expect(result.members.some((m) => m.value === id(0) || m.value === id(3_996))).toBe(false);
    expect(result.members.some((m) => m.value === id(1))).toBe(true);
  });

  test('a path filter of 1,000 ids (value eq … or …) removes exactly those', () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => `value eq "${id(i * 3)}"`).join(' or ');
    const body = { schemas: [MESSAGE.patchOp], Operations: [{ op: 'remove', path: `members[${ids}]` }] };
    const result = applied(patchGroupAttributes(group(10_000), normalizePatch(body, 'Group')));
    expect(result.members).toHaveLength(9_000);
    expect(result.members.some((m) => m.value === id(2_997))).toBe(false);
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
