import type { CompareOperator, Filter, FilterLiteral } from '@roster/contracts';
import { type ResolvedAttribute, resolveSubAttribute } from '../schemas/attribute-lookup.ts';
import type { AttributeDefinition } from '../schemas/definitions.ts';
import { dateTimeComparison } from './date-time.ts';
import type { Fail } from './lexer.ts';

const ORDERING: readonly CompareOperator[] = ['gt', 'ge', 'lt', 'le'];
const SUBSTRING: readonly CompareOperator[] = ['co', 'sw', 'ew'];

/** Which operators each attribute type supports, and which literal type it compares against. */
const SUPPORT: Readonly<
  Record<AttributeDefinition['type'], { operators: readonly CompareOperator[]; literal?: string }>
> = {
  string: { operators: ['eq', 'ne', ...SUBSTRING, ...ORDERING], literal: 'string' },
  reference: { operators: ['eq', 'ne', ...SUBSTRING, ...ORDERING], literal: 'string' },
  dateTime: { operators: ['eq', 'ne', ...ORDERING], literal: 'string' },
  integer: { operators: ['eq', 'ne', ...ORDERING], literal: 'number' },
  decimal: { operators: ['eq', 'ne', ...ORDERING], literal: 'number' },
  boolean: { operators: ['eq', 'ne'], literal: 'boolean' },
  binary: { operators: [] },
  complex: { operators: [] },
};

/** `emails eq "x"` compares the element values (`emails.value eq "x"`). */
export const withImplicitValue = (target: ResolvedAttribute): ResolvedAttribute => {
  const { attribute, definition, ref } = target;
  if (definition !== attribute || !attribute.multiValued) return target;
  const value = resolveSubAttribute(attribute, 'value');
  if (!value) return target;
  return {
    ...target,
    ref: { ...ref, subAttribute: value.name },
    definition: value,
    location: target.location && [...target.location, value.name],
  };
};

const nameOf = (target: ResolvedAttribute) =>
  target.ref.subAttribute ? `${target.ref.attribute}.${target.ref.subAttribute}` : target.ref.attribute;

/** A dateTime literal as the comparison on stored ISO strings (date-time.ts). */
const dateTimeCompare = (
  target: ResolvedAttribute,
  op: CompareOperator,
  value: string,
  fail: Fail,
): Filter => {
  const comparison = dateTimeComparison(op, value);
  if (!comparison) throw fail(`'${nameOf(target)}' is a dateTime; ${JSON.stringify(value)} is not one`);
  return { kind: 'compare', path: target.ref, ...comparison };
};

/**
 * Type-checks `path op value` against the attribute definition and builds its filter node.
 * `eq null` / `ne null` mean unassigned / assigned (RFC 7643 §2.5) and become `not pr` / `pr`.
 */
export const checkedComparison = (
  resolvedTarget: ResolvedAttribute,
  op: CompareOperator,
  value: FilterLiteral,
  fail: Fail,
): Filter => {
  const target = withImplicitValue(resolvedTarget);
  const { type } = target.definition;
  const support = SUPPORT[type];
  if (!support.operators.includes(op)) {
    throw fail(`Operator '${op}' is not supported for ${type} attribute '${nameOf(target)}'`);
  }
  if (value === null) {
    if (op === 'eq') return { kind: 'not', filter: { kind: 'present', path: target.ref } };
    if (op === 'ne') return { kind: 'present', path: target.ref };
    throw fail(`Operator '${op}' cannot compare '${nameOf(target)}' with null`);
  }
  if (typeof value !== support.literal) {
    throw fail(
      `'${nameOf(target)}' is a ${type} attribute and cannot be compared with ${JSON.stringify(value)}`,
    );
  }
  if (type === 'dateTime') return dateTimeCompare(target, op, value as string, fail);
  return { kind: 'compare', path: target.ref, op, value };
};
