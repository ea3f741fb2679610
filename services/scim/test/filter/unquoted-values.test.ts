import { describe, expect, test } from 'vitest';
import { parseFilter, parsePatchPath } from '../../src/filter/parser.ts';
import { LIMITS } from '../../src/limits.ts';
import { cmp, G, ref } from '../helpers.ts';

const invalidFilter = (detail: string) =>
  expect.objectContaining({
    httpStatus: 400,
    scimType: 'invalidFilter',
    detail: expect.stringContaining(detail),
  });

describe('unquoted values (Microsoft’s SCIM reference tests)', () => {
  test.each([
    ['userName sw O', cmp(ref('userName'), 'sw', 'O')],
    ['name.familyName eq Employee', cmp(ref('name.familyName'), 'eq', 'Employee')],
    // 7 fractional digits and an offset: the comparison on stored millisecond times (date-time.test.ts)
    [
      'meta.created gt 2015-10-10T14:38:21.8617979-07:00',
      cmp(ref('meta.created'), 'gt', '2015-10-10T21:38:21.861Z'),
    ],
    [
      'meta.lastModified ge 2011-05-13T04:42:34Z',
      cmp(ref('meta.lastModified'), 'ge', '2011-05-13T04:42:34.000Z'),
    ],
    ['externalId eq 42x', cmp(ref('externalId'), 'eq', '42x')],
    ['title eq a\\b', cmp(ref('title'), 'eq', 'a\\b')],
    ['title eq Ü-ber@x.com', cmp(ref('title'), 'eq', 'Ü-ber@x.com')],
  ])('%s', (text, expected) => {
    expect(parseFilter(text, 'User')).toEqual(expected);
  });

  test('an unquoted value ends at whitespace, a parenthesis or a bracket', () => {
    expect(parseFilter('(title eq Engineer) and emails[type eq work]', 'User')).toEqual(
      parseFilter('(title eq "Engineer") and emails[type eq "work"]', 'User'),
    );
    expect(parseFilter('title eq and or title eq or', 'User')).toEqual({
      kind: 'or',
      left: cmp(ref('title'), 'eq', 'and'),
      right: cmp(ref('title'), 'eq', 'or'),
    });
  });

  test('in PATCH value filters too', () => {
    expect(parsePatchPath('members[value eq 2819c223-7f76]', 'Group')).toEqual(
      parsePatchPath('members[value eq "2819c223-7f76"]', 'Group'),
    );
    expect(parsePatchPath('members[value eq 2819c223-7f76]', 'Group').valueFilter).toEqual(
      cmp(ref('members.value', G), 'eq', '2819c223-7f76'),
    );
  });
});

describe('values valid in RFC 7644 keep their meaning', () => {
  test.each([
    ['title eq "Engineer"', cmp(ref('title'), 'eq', 'Engineer')],
    ['title eq "a b"', cmp(ref('title'), 'eq', 'a b')],
    ['title eq "true"', cmp(ref('title'), 'eq', 'true')],
    ['title eq "42"', cmp(ref('title'), 'eq', '42')],
    ['title eq "x)"', cmp(ref('title'), 'eq', 'x)')],
    ['active eq true', cmp(ref('active'), 'eq', true)],
    ['active eq FALSE', cmp(ref('active'), 'eq', false)],
    ['active ne True', cmp(ref('active'), 'ne', true)],
    ['title eq null', { kind: 'not', filter: { kind: 'present', path: ref('title') } }],
    ['title ne NULL', { kind: 'present', path: ref('title') }],
  ] as const)('%s', (text, expected) => {
    expect(parseFilter(text, 'User')).toEqual(expected);
  });

  test.each([
    ['userName eq 42', 'cannot be compared with 42'],
    ['userName eq -1.5e3', 'cannot be compared with -1500'],
    ['userName eq 007', 'cannot be compared with 7'],
    ['title eq true', 'cannot be compared with true'],
    ['title gt null', 'with null'],
  ])('%s stays a number, boolean or null (400)', (text, detail) => {
    expect(() => parseFilter(text, 'User')).toThrowError(invalidFilter(detail));
  });
});

describe('what stays refused', () => {
  test.each([
    ['userName eq', 'Expected a value'],
    ['userName eq )', "Expected a value (string, number, true, false or null) but found ')'"],
    ['userName eq O"Brien"', "An unquoted value cannot contain '\"'"],
    ['userName eq "O"Brien', 'Expected end of input'],
    ['userName eq O Brien', 'Expected end of input'],
    ['userName O', "Unknown operator 'O'"],
    ['meta.created gt yesterday', 'is not one'],
    ['emails[type eq work', "Expected ']'"],
  ])('%s', (text, detail) => {
    expect(() => parseFilter(text, 'User')).toThrowError(invalidFilter(detail));
  });

  test('every limit holds: string length, comparisons, depth', () => {
    expect(() => parseFilter(`title eq ${'x'.repeat(LIMITS.maxStringLength + 1)}`, 'User')).toThrowError(
      invalidFilter(`A string longer than ${LIMITS.maxStringLength} characters`),
    );
    const comparisons = Array.from({ length: LIMITS.maxFilterComparisons + 1 }, (_, i) => `title eq t${i}`);
    expect(() => parseFilter(comparisons.join(' or '), 'User')).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType: 'tooMany' }),
    );
    const deep = `${'('.repeat(LIMITS.maxFilterDepth + 1)}title eq x${')'.repeat(LIMITS.maxFilterDepth + 1)}`;
    expect(() => parseFilter(deep, 'User')).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType: 'tooMany' }),
    );
  });
});
