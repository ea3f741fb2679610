import { type Filter, SCHEMA } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { equalityClauses } from '../../src/filter/equality-clauses.ts';

const sub = (subAttribute: string) => ({ schema: SCHEMA.user, attribute: 'emails', subAttribute });
const eq = (name: string, value: string | boolean): Filter => ({
  kind: 'compare',
  path: sub(name),
  op: 'eq',
  value,
});

describe('equalityClauses', () => {
  test('and-joined eq comparisons pin sub-attribute values', () => {
    expect(equalityClauses({ kind: 'and', left: eq('type', 'work'), right: eq('primary', true) })).toEqual({
      type: 'work',
      primary: true,
    });
  });

  test.each<Filter>([
    { kind: 'or', left: eq('type', 'work'), right: eq('type', 'home') },
    { kind: 'not', filter: eq('type', 'work') },
    { kind: 'compare', path: sub('value'), op: 'co', value: 'x' },
    { kind: 'compare', path: sub('value'), op: 'eq', value: null },
    { kind: 'and', left: eq('type', 'work'), right: { kind: 'present', path: sub('value') } },
    { kind: 'compare', path: { schema: SCHEMA.user, attribute: 'title' }, op: 'eq', value: 'x' },
  ])('nothing is pinned by %j', (filter) => {
    expect(equalityClauses(filter)).toBeUndefined();
  });
});
