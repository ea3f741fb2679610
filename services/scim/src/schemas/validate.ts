import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { scimErrors } from '../errors.ts';

// Compiled once per schema: checking a 100,000-member group interpreted costs ~10× more.
const checkers = new WeakMap<TSchema, TypeCheck<TSchema>>();

const checkerOf = (schema: TSchema): TypeCheck<TSchema> => {
  const known = checkers.get(schema);
  if (known) return known;
  const compiled = TypeCompiler.Compile(schema);
  checkers.set(schema, compiled);
  return compiled;
};

/** `value` if it fits `schema` (e.g. UserAttributes), else 400 invalidValue naming the first offending field. */
export const validAttributes = <T extends TSchema>(schema: T, value: unknown): Static<T> => {
  const checker = checkerOf(schema);
  if (checker.Check(value)) return value as Static<T>;
  const error = checker.Errors(value).First();
  throw scimErrors.invalidValue(
    `Invalid attribute ${error?.path || '/'}: ${error?.message ?? 'does not fit the schema'}`,
  );
};

/** A copy of `value` without the properties `schema` does not declare (e.g. members' `$ref`). */
export const withoutUndeclared = <T extends TSchema>(schema: T, value: unknown): unknown =>
  Value.Clean(schema, structuredClone(value));
