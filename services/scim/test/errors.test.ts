import { ScimErrorBody } from '@roster/contracts';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, test } from 'vitest';
import { isScimError, ScimError, scimErrors } from '../src/errors.ts';
import { MESSAGE } from '../src/messages.ts';

describe('ScimError', () => {
  test.each([
    ['invalidFilter', 400],
    ['tooMany', 400],
    ['uniqueness', 409],
    ['mutability', 400],
    ['invalidSyntax', 400],
    ['invalidPath', 400],
    ['noTarget', 400],
    ['invalidValue', 400],
    ['invalidVers', 400],
    ['sensitive', 403],
  ] as const)('%s → %i with a string status in the body', (scimType, status) => {
    const error = scimErrors[scimType]('why');
    expect(error).toBeInstanceOf(Error);
    expect(isScimError(error)).toBe(true);
    expect(error.httpStatus).toBe(status);
    expect(error.toBody()).toEqual({
      schemas: [MESSAGE.error],
      status: String(status),
      scimType,
      detail: 'why',
    });
    expect(Value.Check(ScimErrorBody, error.toBody())).toBe(true);
  });

  test('errors without scimType (404, 412, 413) omit it', () => {
    const body = new ScimError(404, 'User 42 not found').toBody();
    expect(body).toEqual({ schemas: [MESSAGE.error], status: '404', detail: 'User 42 not found' });
    expect(Value.Check(ScimErrorBody, body)).toBe(true);
  });
});
