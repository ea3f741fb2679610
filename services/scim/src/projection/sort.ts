import { scimErrors } from '../errors.ts';
import { withImplicitValue } from '../filter/semantics.ts';
import { storedFieldPath } from '../filter/to-mongo.ts';
import { resolveAttribute } from '../schemas/attribute-lookup.ts';
import type { ResourceTypeName } from '../schemas/definitions.ts';

export type MongoSort = Record<string, 1 | -1>;

const DIRECTIONS: Readonly<Record<string, 1 | -1>> = { ascending: 1, descending: -1 };

const direction = (sortOrder: string | undefined): 1 | -1 => {
  if (sortOrder === undefined) return 1;
  const key = sortOrder.toLowerCase();
  // Own keys only: `__proto__` or `constructor` must not find Object.prototype (found by fuzzing).
  const found = Object.hasOwn(DIRECTIONS, key) ? DIRECTIONS[key] : undefined;
  if (!found)
    throw scimErrors.invalidValue(`sortOrder must be "ascending" or "descending", not "${sortOrder}"`);
  return found;
};

const sortField = (sortBy: string, resourceType: ResourceTypeName): string => {
  const resolved = resolveAttribute(sortBy, resourceType);
  if (!resolved) throw scimErrors.invalidValue(`Unknown sortBy attribute '${sortBy}'`);
  const target = withImplicitValue(resolved);
  if (target.definition.type === 'complex') {
    throw scimErrors.invalidValue(`sortBy '${sortBy}' must name a sub-attribute of the complex attribute`);
  }
  try {
    return storedFieldPath(target);
  } catch {
    throw scimErrors.invalidValue(`Cannot sort by '${sortBy}'`);
  }
};

/**
 * `sortBy` / `sortOrder` (RFC 7644 §3.4.2.3) → MongoDB sort. `_id` is always the last key so that
 * startIndex/count paging is stable (sortOrder without sortBy is ignored). userName sorts case-insensitively (through `userNameKey`);
 * other attributes sort by MongoDB's binary order; multi-valued attributes by their `value`.
 */
export const toMongoSort = (
  sortBy: string | undefined,
  sortOrder: string | undefined,
  resourceType: ResourceTypeName,
): MongoSort => {
  const order = direction(sortOrder);
  if (sortBy === undefined) return { _id: 1 };
  const field = sortField(sortBy, resourceType);
  return field === '_id' ? { _id: order } : { [field]: order, _id: 1 };
};
