import { Value } from '@sinclair/typebox/value';
import { describe, expect, test } from 'vitest';
import { ScimErrorBody } from '../../src/scim/error-body.ts';
import { ERROR_MESSAGE_URN } from '../../src/scim/urns.ts';

describe('ScimErrorBody', () => {
  test('the body schema rejects numeric status and unknown scimTypes', () => {
    expect(Value.Check(ScimErrorBody, { schemas: [ERROR_MESSAGE_URN], status: 400 })).toBe(false);
    expect(
      Value.Check(ScimErrorBody, { schemas: [ERROR_MESSAGE_URN], status: '400', scimType: 'tooLarge' }),
    ).toBe(false);
  });
});
