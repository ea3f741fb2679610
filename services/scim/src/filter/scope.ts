import type { AttributeRef, Filter } from '@roster/contracts';
import { scimErrors } from '../errors.ts';
import { lookupAttribute, type ResolvedAttribute } from '../schemas/attribute-lookup.ts';
import type { ResourceTypeName } from '../schemas/definitions.ts';

/**
 * How the attribute paths of a parsed filter resolve, at the top level or inside `attr[…]` (the
 * element scope). Evaluation and the MongoDB translation both go through here, so they reject the
 * same filters with the same 400 invalidFilter.
 */

export const resolveFilterPath = (ref: AttributeRef, resourceType: ResourceTypeName): ResolvedAttribute => {
  const resolved = lookupAttribute(ref, resourceType);
  if (!resolved) throw scimErrors.invalidFilter(`Unknown attribute '${ref.attribute}'`);
  return resolved;
};

/** Inside `attr[…]` a path names one of the element's sub-attributes; its name is the field. */
export const elementSubAttribute = (resolved: ResolvedAttribute, element: ResolvedAttribute): string => {
  if (resolved.attribute !== element.attribute || resolved.definition === resolved.attribute) {
    throw scimErrors.invalidFilter(
      `'${resolved.ref.attribute}' is not a sub-attribute of '${element.ref.attribute}'`,
    );
  }
  return resolved.definition.name;
};

/** The complex attribute a value filter `attr[…]` ranges over; value filters do not nest. */
export const valueFilterParent = (
  filter: Extract<Filter, { kind: 'valuePath' }>,
  element: ResolvedAttribute | undefined,
  resourceType: ResourceTypeName,
): ResolvedAttribute => {
  const parent = resolveFilterPath(filter.path, resourceType);
  if (element || parent.definition.type !== 'complex') {
    throw scimErrors.invalidFilter(`Invalid value filter on '${filter.path.attribute}'`);
  }
  return parent;
};
