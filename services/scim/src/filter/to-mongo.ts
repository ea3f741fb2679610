import {
  type AttributeRef,
  type CompareOperator,
  type Filter,
  type FilterLiteral,
  SCHEMA,
} from '@roster/contracts';
import { scimErrors } from '../errors.ts';
import type { ResolvedAttribute } from '../schemas/attribute-lookup.ts';
import type { ResourceTypeName } from '../schemas/definitions.ts';
import { type GroupsOfMember, memberCondition } from './group-members.ts';
import { elementSubAttribute, resolveFilterPath, valueFilterParent } from './scope.ts';

/**
 * Filter → MongoDB query over the status service's `users` / `groups` documents:
 * `{ _id, tenant, userNameKey, resource: UserAttributes | GroupProperties, meta: { created, lastModified, version } }`.
 *
 * Injection-proof by construction: every key comes from the schema definitions (never from the
 * filter text), every value is the operand of an explicit operator (`$eq`, `$gt`, …), and strings
 * used in `$regex` are escaped. The caller adds the `tenant` condition.
 */

export type MongoQuery = Record<string, unknown>;

/** A queryable field: its dotted path and how to compare strings in it. */
interface Field {
  readonly path: string;
  readonly caseInsensitive: boolean;
  /** userName is matched through the lower-cased, indexed `userNameKey`. */
  readonly lowerCaseOperand: boolean;
}

/** A single value that is present and non-empty (RFC 7643 §2.5: null and "" mean unassigned). */
const NON_EMPTY = { $exists: true, $nin: [null, ''] };

const RANGE: Partial<Record<CompareOperator, string>> = { gt: '$gt', ge: '$gte', lt: '$lt', le: '$lte' };

const notFilterable = (ref: AttributeRef) =>
  scimErrors.invalidFilter(
    `'${ref.subAttribute ? `${ref.attribute}.${ref.subAttribute}` : ref.attribute}' cannot be used in filters`,
  );

/** The document field path of an attribute; only schema-defined, stored attributes have one. */
export const storedFieldPath = (resolved: ResolvedAttribute): string => {
  const { location, ref } = resolved;
  if (!location || location.some((segment) => segment.startsWith('$'))) throw notFilterable(ref);
  const [head, ...rest] = location;
  if (head === 'id') return '_id';
  if (head === 'meta') return location.join('.');
  if (ref.schema === SCHEMA.user && head === 'userName' && rest.length === 0) return 'userNameKey';
  return ['resource', ...location].join('.');
};

const fieldOf = (resolved: ResolvedAttribute, element: ResolvedAttribute | undefined): Field => {
  // Inside `attr[…]` (an `$elemMatch`), fields are the element's sub-attributes.
  const path = element ? elementSubAttribute(resolved, element) : storedFieldPath(resolved);
  const isString = resolved.definition.type === 'string' || resolved.definition.type === 'reference';
  const lowerCaseOperand = path === 'userNameKey';
  return {
    path,
    lowerCaseOperand,
    caseInsensitive: isString && !resolved.definition.caseExact && !lowerCaseOperand,
  };
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&').replaceAll('\0', '\\x00');

// `(?!\n)`: in MongoDB's PCRE `$` also matches before a final newline; this makes it a true end anchor.
const PATTERNS: Partial<Record<CompareOperator, (escaped: string) => string>> = {
  eq: (escaped) => `^${escaped}$(?!\n)`,
  co: (escaped) => escaped,
  sw: (escaped) => `^${escaped}`,
  ew: (escaped) => `${escaped}$(?!\n)`,
};

const regexCondition = (field: Field, op: CompareOperator, value: string) => ({
  $regex: PATTERNS[op]!(escapeRegex(value)),
  ...(field.caseInsensitive ? { $options: 'i' } : {}),
});

const condition = (field: Field, op: Exclude<CompareOperator, 'ne'>, literal: FilterLiteral): unknown => {
  const value = field.lowerCaseOperand && typeof literal === 'string' ? literal.toLowerCase() : literal;
  if (op === 'eq' && !field.caseInsensitive) return { $eq: value };
  if (op in PATTERNS) return regexCondition(field, op, String(value));
  if (field.caseInsensitive) {
    throw scimErrors.invalidFilter(
      `Operator '${op}' is not supported for case-insensitive attribute '${field.path}'`,
    );
  }
  return { [RANGE[op]!]: value };
};

class Translator {
  readonly #resourceType: ResourceTypeName;
  readonly #groupsOfMember: GroupsOfMember;

  constructor(resourceType: ResourceTypeName, groupsOfMember: GroupsOfMember) {
    this.#resourceType = resourceType;
    this.#groupsOfMember = groupsOfMember;
  }

  translate(filter: Filter, element: ResolvedAttribute | undefined): MongoQuery {
    const members =
      this.#resourceType === 'Group' && !element ? memberCondition(filter, this.#groupsOfMember) : undefined;
    if (members) return members;
    switch (filter.kind) {
      case 'and':
        return { $and: [this.translate(filter.left, element), this.translate(filter.right, element)] };
      case 'or':
        return { $or: [this.translate(filter.left, element), this.translate(filter.right, element)] };
      case 'not':
        return { $nor: [this.translate(filter.filter, element)] };
      case 'present':
        return this.#present(resolveFilterPath(filter.path, this.#resourceType), element);
      case 'compare':
        return this.#compare(filter, element);
      case 'valuePath':
        return this.#valuePath(filter, element);
    }
  }

  #compare(filter: Extract<Filter, { kind: 'compare' }>, element: ResolvedAttribute | undefined): MongoQuery {
    const field = fieldOf(resolveFilterPath(filter.path, this.#resourceType), element);
    if (filter.op === 'ne') return { $nor: [{ [field.path]: condition(field, 'eq', filter.value) }] };
    return { [field.path]: condition(field, filter.op, filter.value) };
  }

  /**
   * A multi-valued attribute is present when it has an element (`[]` means unassigned), its
   * sub-attribute when one element has it non-empty.
   */
  #present(resolved: ResolvedAttribute, element: ResolvedAttribute | undefined): MongoQuery {
    const { attribute, definition } = resolved;
    if (element || !attribute.multiValued) return { [fieldOf(resolved, element).path]: NON_EMPTY };
    if (definition === attribute) return { [`${storedFieldPath(resolved)}.0`]: { $exists: true } };
    const parent = resolveFilterPath(
      { schema: resolved.ref.schema, attribute: attribute.name },
      this.#resourceType,
    );
    return { [storedFieldPath(parent)]: { $elemMatch: { [definition.name]: NON_EMPTY } } };
  }

  #valuePath(
    filter: Extract<Filter, { kind: 'valuePath' }>,
    element: ResolvedAttribute | undefined,
  ): MongoQuery {
    const parent = valueFilterParent(filter, element, this.#resourceType);
    if (!parent.attribute.multiValued) return this.translate(filter.filter, undefined);
    return { [storedFieldPath(parent)]: { $elemMatch: this.translate(filter.filter, parent) } };
  }
}

/**
 * Translates a parsed filter; unsupported attributes or operators → 400 invalidFilter. A Group
 * filter naming members needs the groups of each named member (group-members.ts).
 */
export const filterToMongo = (
  filter: Filter,
  resourceType: ResourceTypeName,
  groupsOfMember: GroupsOfMember = new Map(),
): MongoQuery => new Translator(resourceType, groupsOfMember).translate(filter, undefined);
