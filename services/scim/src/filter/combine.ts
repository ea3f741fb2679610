import type { Filter } from '@roster/contracts';

/**
 * Filters joined by one logical operator as a balanced tree (⌈log2 n⌉ levels). and/or are
 * associative, so this means the same as the left-deep chain a parser would build, but the tree
 * (stored in commands, translated into MongoDB queries, evaluated recursively) stays shallow
 * however long the chain is. Two or three terms come out exactly as the left-deep chain.
 */
export const joined = (kind: 'and' | 'or', filters: readonly Filter[]): Filter => {
  if (filters.length === 1) return filters[0]!;
  const middle = Math.ceil(filters.length / 2);
  return { kind, left: joined(kind, filters.slice(0, middle)), right: joined(kind, filters.slice(middle)) };
};

/** Attribute expressions (comparisons and `pr`) in a parsed filter. */
export const filterComparisons = (filter: Filter): number => {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return filterComparisons(filter.left) + filterComparisons(filter.right);
    case 'not':
    case 'valuePath':
      return filterComparisons(filter.filter);
    default:
      return 1;
  }
};

/** Levels of a parsed filter tree: a comparison is 1, every and/or/not/`[…]` adds one. */
export const filterDepth = (filter: Filter): number => {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return 1 + Math.max(filterDepth(filter.left), filterDepth(filter.right));
    case 'not':
    case 'valuePath':
      return 1 + filterDepth(filter.filter);
    default:
      return 1;
  }
};
