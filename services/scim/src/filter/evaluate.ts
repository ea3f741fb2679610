import type { AttributeRef, CompareOperator, Filter, FilterLiteral } from '@roster/contracts';
import { scimErrors } from '../errors.ts';
import type { ResolvedAttribute } from '../schemas/attribute-lookup.ts';
import type { ResourceTypeName } from '../schemas/definitions.ts';
import { isAssigned } from '../values.ts';
import { equalityAlternatives } from './equality-clauses.ts';
import { elementSubAttribute, resolveFilterPath, valueFilterParent } from './scope.ts';

/**
 * In-memory evaluation of a parsed SCIM filter, with the same semantics as the MongoDB
 * translation (to-mongo.ts): strings honour `caseExact`, a multi-valued path matches when any
 * value matches, `ne` is `not eq` (so it matches unassigned attributes), `pr` means non-null,
 * non-"" and non-[].
 *
 * The subject is a canonical resource: `{ id, meta: { created, lastModified }, ...UserAttributes }`.
 */
export type FilterSubject = Readonly<Record<string, unknown>>;

/** All values at a field path, descending into arrays (like MongoDB dotted paths do). */
const valuesAt = (value: unknown, path: readonly string[]): unknown[] => {
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (path.length === 0) return value === undefined ? [] : [value];
  if (typeof value !== 'object' || value === null) return [];
  const [head, ...rest] = path;
  return valuesAt((value as Record<string, unknown>)[head!], rest);
};

const storedLocation = (resolved: ResolvedAttribute): readonly string[] => {
  if (!resolved.location)
    throw scimErrors.invalidFilter(`'${resolved.ref.attribute}' cannot be used in filters`);
  return resolved.location;
};

const ORDERINGS: Partial<Record<CompareOperator, (order: number) => boolean>> = {
  gt: (order) => order > 0,
  ge: (order) => order >= 0,
  lt: (order) => order < 0,
  le: (order) => order <= 0,
};

/** gt/ge/lt/le given the sign of actual − expected; other operators do not order. */
const ordered = (op: CompareOperator, order: number): boolean => ORDERINGS[op]?.(order) ?? false;

const compareStrings = (actual: string, op: CompareOperator, expected: string): boolean => {
  if (op === 'eq') return actual === expected;
  if (op === 'co') return actual.includes(expected);
  if (op === 'sw') return actual.startsWith(expected);
  if (op === 'ew') return actual.endsWith(expected);
  return ordered(op, actual < expected ? -1 : actual > expected ? 1 : 0);
};

const compareOne = (
  definition: ResolvedAttribute['definition'],
  actual: unknown,
  op: CompareOperator,
  expected: FilterLiteral,
) => {
  if (typeof actual !== typeof expected) return false;
  if (typeof actual === 'string' && typeof expected === 'string') {
    if (definition.caseExact) return compareStrings(actual, op, expected);
    return compareStrings(actual.toLowerCase(), op, expected.toLowerCase());
  }
  if (op === 'eq') return actual === expected;
  return ordered(op, Math.sign((actual as number) - (expected as number)));
};

class Evaluator {
  readonly #resourceType: ResourceTypeName;

  constructor(resourceType: ResourceTypeName) {
    this.#resourceType = resourceType;
  }

  /** `element` is set inside `attr[…]`: paths then address the element's sub-attributes. */
  matches(filter: Filter, subject: unknown, element: ResolvedAttribute | undefined): boolean {
    switch (filter.kind) {
      case 'and':
        return this.matches(filter.left, subject, element) && this.matches(filter.right, subject, element);
      case 'or':
        return this.matches(filter.left, subject, element) || this.matches(filter.right, subject, element);
      case 'not':
        return !this.matches(filter.filter, subject, element);
      case 'present':
        return this.#values(filter.path, subject, element).values.some(isAssigned);
      case 'compare':
        return this.#compare(filter, subject, element);
      case 'valuePath':
        return this.#valuePath(filter, subject, element);
    }
  }

  #values(ref: AttributeRef, subject: unknown, element: ResolvedAttribute | undefined) {
    const resolved = resolveFilterPath(ref, this.#resourceType);
    const path = element ? [elementSubAttribute(resolved, element)] : storedLocation(resolved);
    return { definition: resolved.definition, values: valuesAt(subject, path) };
  }

  #compare(
    filter: Extract<Filter, { kind: 'compare' }>,
    subject: unknown,
    element: ResolvedAttribute | undefined,
  ) {
    const { definition, values } = this.#values(filter.path, subject, element);
    const op = filter.op === 'ne' ? 'eq' : filter.op;
    const found = values.some((value) => compareOne(definition, value, op, filter.value));
    return filter.op === 'ne' ? !found : found;
  }

  #valuePath(
    filter: Extract<Filter, { kind: 'valuePath' }>,
    subject: unknown,
    element: ResolvedAttribute | undefined,
  ) {
    const parent = valueFilterParent(filter, element, this.#resourceType);
    if (!parent.attribute.multiValued) return this.matches(filter.filter, subject, undefined);
    return valuesAt(subject, storedLocation(parent)).some((item) =>
      this.matches(filter.filter, item, parent),
    );
  }
}

/** Whether a canonical resource matches the filter. */
export const evaluateFilter = (
  filter: Filter,
  subject: FilterSubject,
  resourceType: ResourceTypeName,
): boolean => new Evaluator(resourceType).matches(filter, subject, undefined);

/** Whether one element of the multi-valued attribute `parent` matches a PATCH value filter (`emails[type eq "work"]`). */
export const elementMatches = (
  filter: Filter,
  element: unknown,
  parent: AttributeRef,
  resourceType: ResourceTypeName,
): boolean => new Evaluator(resourceType).matches(filter, element, resolveFilterPath(parent, resourceType));

/**
 * A predicate over the elements of the multi-valued attribute `parent` for one PATCH value filter,
 * compiled once per operation. An `or` of string `eq` comparisons on one sub-attribute (Entra's
 * removal of thousands of members) becomes one Set lookup per element; any other filter is
 * evaluated as `elementMatches` does. Same answers either way (see evaluate.test.ts).
 */
export const elementMatcher = (
  filter: Filter,
  parent: AttributeRef,
  resourceType: ResourceTypeName,
): ((element: unknown) => boolean) => {
  const scope = resolveFilterPath(parent, resourceType);
  const alternatives = equalityAlternatives(filter);
  if (!alternatives) {
    const evaluator = new Evaluator(resourceType);
    return (element) => evaluator.matches(filter, element, scope);
  }
  const resolved = resolveFilterPath(alternatives.path, resourceType);
  const key = elementSubAttribute(resolved, scope);
  const folded = (text: string) => (resolved.definition.caseExact ? text : text.toLowerCase());
  const accepted = new Set(alternatives.values.map(folded));
  return (element) =>
    valuesAt(element, [key]).some((value) => typeof value === 'string' && accepted.has(folded(value)));
};
