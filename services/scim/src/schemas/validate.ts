import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { scimErrors } from '../errors.ts';

/** `value` if it fits `schema` (e.g. UserAttributes), else 400 invalidValue naming the first offending field. */
export const validAttributes = <T extends TSchema>(schema: T, value: unknown): Static<T> => {
  const error = Value.Errors(schema, value).First();
  if (error) throw scimErrors.invalidValue(`Invalid attribute ${error.path || '/'}: ${error.message}`);
  return value as Static<T>;
};

/** A copy of `value` without the properties `schema` does not declare (e.g. members' `$ref`). */
export const withoutUndeclared = <T extends TSchema>(schema: T, value: unknown): unknown =>
  Value.Clean(schema, structuredClone(value));
