import type { Filter } from '@roster/contracts';

/**
 * The sub-attribute values a value filter pins with `eq`, when it is only `eq` comparisons joined
 * by `and` (`type eq "work" and primary eq true` → {type: 'work', primary: true}); undefined for any
 * other filter. Used to build the element a PATCH writes when its value filter matches nothing.
 */
export const equalityClauses = (filter: Filter): Record<string, string | number | boolean> | undefined => {
  if (filter.kind === 'and') {
    const left = equalityClauses(filter.left);
    const right = equalityClauses(filter.right);
    return left && right ? { ...left, ...right } : undefined;
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return undefined;
  const name = filter.path.subAttribute;
  return name === undefined ? undefined : { [name]: filter.value };
};
