import type { AttributeRef, Filter } from '@roster/contracts';

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

/**
 * The values an `or` of string `eq` comparisons on one attribute accepts (`value eq "a" or value
 * eq "b" …`, Entra's member removal) as the attribute and the list; undefined for any other filter.
 * Lets an element filter become a Set lookup instead of a walk of the whole or-tree per element.
 */
export const equalityAlternatives = (
  filter: Filter,
): { path: AttributeRef; values: string[] } | undefined => {
  const values: string[] = [];
  let path: AttributeRef | undefined;
  const pending = [filter];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.kind === 'or') {
      pending.push(next.right, next.left);
      continue;
    }
    if (next.kind !== 'compare' || next.op !== 'eq' || typeof next.value !== 'string') return undefined;
    path ??= next.path;
    if (!sameRef(path, next.path)) return undefined;
    values.push(next.value);
  }
  return path && { path, values };
};

const sameRef = (a: AttributeRef, b: AttributeRef): boolean =>
  a.schema === b.schema && a.attribute === b.attribute && a.subAttribute === b.subAttribute;
