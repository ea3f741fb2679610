import type { UserAttributes } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { ScimError } from '../src/errors.ts';
import { filterDepth } from '../src/filter/combine.ts';
import { parseFilter, parsePatchPath } from '../src/filter/parser.ts';
import { clampCount, clampStartIndex, commandTooLarge, groupTooLarge, LIMITS } from '../src/limits.ts';
import { MESSAGE } from '../src/messages.ts';
import { patchUserAttributes } from '../src/patch/apply.ts';
import { normalizePatch } from '../src/patch/normalize.ts';
import { normalizeGroup } from '../src/resources/group.ts';
import { normalizeUser } from '../src/resources/user.ts';
import { G, op } from './helpers.ts';

const refusal = (scimType: string, status = 400) =>
  expect.objectContaining({ httpStatus: status, ...(scimType ? { scimType } : {}) });

const orChain = (count: number, term = (i: number) => `userName eq "u${i}"`) =>
  Array.from({ length: count }, (_, i) => term(i)).join(' or ');

const patchBody = (operations: unknown[]) => ({ schemas: [MESSAGE.patchOp], Operations: operations });

const userBody = (extra: object) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'ada',
  ...extra,
});

describe('filter limits', () => {
  test('an and/or chain is a balanced tree: 1,024 comparisons are 11 levels, not 1,024', () => {
    const filter = parseFilter(orChain(LIMITS.maxFilterComparisons), 'User');
    expect(filterDepth(filter)).toBe(11);
  });

  test('comparisons: at the limit parses, one more is 400 tooMany', () => {
    expect(() => parseFilter(orChain(LIMITS.maxFilterComparisons), 'User')).not.toThrow();
    expect(() => parseFilter(orChain(LIMITS.maxFilterComparisons + 1), 'User')).toThrowError(
      refusal('tooMany'),
    );
  });

  test('depth counts parentheses and chains: at the limit parses, one more is 400 tooMany', () => {
    // 22 parentheses around a two-term and: not(…) adds a level, and the and adds one more.
    const nested = (levels: number) =>
      `${'('.repeat(levels)}userName eq "a" and title eq "b"${')'.repeat(levels)}`;
    expect(filterDepth(parseFilter(`not (${nested(0)})`, 'User'))).toBe(3);
    const atLimit = `${'not ('.repeat(LIMITS.maxFilterDepth - 2)}${nested(0)}${')'.repeat(LIMITS.maxFilterDepth - 2)}`;
    expect(filterDepth(parseFilter(atLimit, 'User'))).toBe(LIMITS.maxFilterDepth);
    expect(() => parseFilter(`not (${atLimit})`, 'User')).toThrowError(refusal('tooMany'));
    expect(() => parseFilter(nested(LIMITS.maxFilterDepth + 1), 'User')).toThrowError(refusal('tooMany'));
  });

  test('a chain of or-ed ands counts its and levels as well', () => {
    const chain = orChain(LIMITS.maxFilterComparisons / 2, (i) => `(userName eq "u${i}" and title eq "t")`);
    expect(filterDepth(parseFilter(chain, 'User'))).toBe(11);
  });

  test('length: at the limit is judged on its grammar, one more character is 400 tooMany', () => {
    const literal = 'x'.repeat(LIMITS.maxStringLength);
    const padded = (length: number) => `userName eq "${literal}"`.padEnd(length, ' ');
    expect(() => parseFilter(padded(LIMITS.maxFilterLength), 'User')).not.toThrow();
    expect(() => parseFilter(padded(LIMITS.maxFilterLength + 1), 'User')).toThrowError(refusal('tooMany'));
  });

  test('a string literal longer than any stored string is 400 invalidFilter / invalidPath', () => {
    const long = 'x'.repeat(LIMITS.maxStringLength + 1);
    expect(() => parseFilter(`userName eq "${long}"`, 'User')).toThrowError(refusal('invalidFilter'));
    expect(() => parsePatchPath(`emails[type eq "${long}"].value`, 'User')).toThrowError(
      refusal('invalidPath'),
    );
  });

  test('a PATCH path filter is held to the same limits', () => {
    const ids = (count: number) => orChain(count, (i) => `value eq "id-${i}"`);
    expect(() => parsePatchPath(`members[${ids(LIMITS.maxFilterComparisons)}]`, 'Group')).not.toThrow();
    expect(() => parsePatchPath(`members[${ids(LIMITS.maxFilterComparisons + 1)}]`, 'Group')).toThrowError(
      refusal('tooMany'),
    );
  });
});

describe('request limits', () => {
  test('a value filter that is not a plain list: 32 comparisons normalize, 33 are 400 tooMany', () => {
    const removal = (count: number) =>
      patchBody([
        {
          op: 'remove',
          path: `members[${Array.from({ length: count }, (_, i) => `value sw "${i}"`).join(' or ')}]`,
        },
      ]);
    expect(normalizePatch(removal(LIMITS.maxValueFilterComparisons), 'Group')).toHaveLength(1);
    expect(() => normalizePatch(removal(LIMITS.maxValueFilterComparisons + 1), 'Group')).toThrowError(
      refusal('tooMany'),
    );
  });

  const add = (value: unknown) => ({ op: 'add', path: 'emails', value });
  const email = (i: number) => ({ value: `a${i}@example.com` });

  test('operations per PATCH: at the limit normalizes, one more is 400 tooMany', () => {
    const title = { op: 'replace', path: 'title', value: 'x' };
    expect(normalizePatch(patchBody(Array(LIMITS.maxPatchOperations).fill(title)), 'User')).toHaveLength(
      LIMITS.maxPatchOperations,
    );
    expect(() =>
      normalizePatch(patchBody(Array(LIMITS.maxPatchOperations + 1).fill(title)), 'User'),
    ).toThrowError(refusal('tooMany'));
  });

  test('values per operation: at the limit normalizes, one more is 400 tooMany', () => {
    const values = (count: number) => Array.from({ length: count }, (_, i) => email(i));
    expect(normalizePatch(patchBody([add(values(LIMITS.maxMultiValuedItems))]), 'User')).toHaveLength(1);
    expect(() =>
      normalizePatch(patchBody([add(values(LIMITS.maxMultiValuedItems + 1))]), 'User'),
    ).toThrowError(refusal('tooMany'));
  });

  test("Entra's value-list removal: at the limit is one balanced filter, one more is 400 tooMany", () => {
    const removal = (count: number) => ({
      op: 'Remove',
      path: 'members',
      value: Array.from({ length: count }, (_, i) => ({ value: `id-${i}` })),
    });
    const [operation] = normalizePatch(patchBody([removal(LIMITS.maxMultiValuedItems)]), 'Group');
    expect(filterDepth(operation!.path.valueFilter!)).toBe(11);
    expect(() => normalizePatch(patchBody([removal(LIMITS.maxMultiValuedItems + 1)]), 'Group')).toThrowError(
      refusal('tooMany'),
    );
  });

  test('items per multi-valued attribute in a POST body: at the limit is read, one more is 400 tooMany', () => {
    const members = (count: number) => Array.from({ length: count }, (_, i) => ({ value: `id-${i}` }));
    const group = (count: number) => ({ schemas: [`${G}`], displayName: 'Big', members: members(count) });
    expect(normalizeGroup(group(LIMITS.maxMultiValuedItems)).members).toHaveLength(
      LIMITS.maxMultiValuedItems,
    );
    expect(() => normalizeGroup(group(LIMITS.maxMultiValuedItems + 1))).toThrowError(refusal('tooMany'));
  });

  test('string length: at the limit is kept, one more character is 400 invalidValue, in bodies and PATCHes', () => {
    const title = (length: number) => 't'.repeat(length);
    expect(normalizeUser(userBody({ title: title(LIMITS.maxStringLength) })).title).toHaveLength(
      LIMITS.maxStringLength,
    );
    expect(() => normalizeUser(userBody({ title: title(LIMITS.maxStringLength + 1) }))).toThrowError(
      refusal('invalidValue'),
    );
    const replace = (value: string) =>
      patchBody([{ op: 'replace', path: 'emails[type eq "work"].value', value }]);
    expect(() => normalizePatch(replace(title(LIMITS.maxStringLength + 1)), 'User')).toThrowError(
      refusal('invalidValue'),
    );
  });

  test('body nesting: at the limit is read, one more level is 400 invalidSyntax', () => {
    const nestedValue = (levels: number): unknown =>
      levels === 0 ? 'x' : { inner: nestedValue(levels - 1) };
    // the body itself is level 1, the objects inside its `unknown` member levels 2 and down
    expect(() => normalizeUser(userBody({ unknown: nestedValue(LIMITS.maxBodyDepth - 1) }))).not.toThrow();
    expect(() => normalizeUser(userBody({ unknown: nestedValue(LIMITS.maxBodyDepth) }))).toThrowError(
      refusal('invalidSyntax'),
    );
  });

  test('a command larger than half a Kafka message is 413', () => {
    expect(commandTooLarge({ text: 'x'.repeat(LIMITS.maxCommandBytes - 11) })).toBeUndefined();
    expect(commandTooLarge({ text: 'x'.repeat(LIMITS.maxCommandBytes - 10) })).toEqual(refusal('', 413));
  });

  test('startIndex and count are clamped (RFC 7644 §3.4.2.4)', () => {
    expect([clampStartIndex(undefined), clampStartIndex(-5), clampStartIndex(1e20)]).toEqual([
      1,
      1,
      LIMITS.maxStartIndex,
    ]);
    expect([clampCount(undefined), clampCount(-1), clampCount(1e20), clampCount(7)]).toEqual([
      LIMITS.maxResults,
      0,
      LIMITS.maxResults,
      7,
    ]);
  });
});

describe('resource limits', () => {
  const USER: UserAttributes = { userName: 'ada', active: true };

  test('a user grown by PATCHes past maxUserBytes is 400 invalidValue; up to it is accepted', () => {
    // Each email value is at the string limit; add them until the user would pass the size limit.
    let user = USER;
    let accepted = 0;
    for (let i = 0; ; i++) {
      const value = `${i}@${'x'.repeat(LIMITS.maxStringLength - 10)}`.slice(0, LIMITS.maxStringLength);
      const result = patchUserAttributes(user, [op('add', 'emails', [{ value }])]);
      if (result instanceof ScimError) {
        expect(result).toEqual(refusal('invalidValue'));
        expect(JSON.stringify(user).length).toBeLessThanOrEqual(LIMITS.maxUserBytes);
        expect(JSON.stringify(user).length).toBeGreaterThan(
          LIMITS.maxUserBytes - LIMITS.maxStringLength - 64,
        );
        break;
      }
      user = result;
      accepted++;
    }
    expect(accepted).toBeGreaterThan(20);
  });

  test('a group of maxGroupMembers members is accepted, one more is 400 invalidValue', () => {
    // The status service judges the member count a change leads to (a PATCH names only a delta).
    expect(groupTooLarge(LIMITS.maxGroupMembers)).toBeUndefined();
    expect(groupTooLarge(LIMITS.maxGroupMembers + 1)).toEqual(refusal('invalidValue'));
  });
});
