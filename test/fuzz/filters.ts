import fc from 'fast-check';
import { hostileString } from './values.ts';

const attributePath = fc.oneof(
  fc.constantFrom(
    'userName',
    'USERNAME',
    'externalId',
    'id',
    'active',
    'displayName',
    'title',
    'userType',
    'name.givenName',
    'name.familyName',
    'emails',
    'emails.value',
    'emails.type',
    'emails.primary',
    'meta.created',
    'meta.lastModified',
    'members',
    'members.value',
    'roles.value',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
    'nosuch',
    'name.',
    '.name',
    'a.b.c.d',
    '$where',
    '__proto__',
    '',
  ),
  hostileString.filter((s) => !/\s/.test(s)),
);

const operator = fc.oneof(
  { arbitrary: fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'EQ', 'Eq'), weight: 4 },
  { arbitrary: fc.constantFrom('==', 'like', 'in', 'regex', '', 'eqq', 'pr'), weight: 1 },
);

const quoted = (text: string) => JSON.stringify(text);
const comparisonValue = fc.oneof(
  hostileString.map(quoted),
  fc.constantFrom(
    'true',
    'false',
    'null',
    '42',
    '-1',
    '1e400',
    '"2024-01-01T00:00:00Z"',
    'unquoted',
    '"',
    '"\\"',
  ),
  fc.double().map(String),
);

const comparison = fc.oneof(
  {
    arbitrary: fc.tuple(attributePath, operator, comparisonValue).map((parts) => parts.join(' ')),
    weight: 5,
  },
  { arbitrary: attributePath.map((path) => `${path} pr`), weight: 1 },
);

/** Filters from the RFC 7644 §3.4.2.2 grammar, with wrong attributes, operators and values mixed in. */
const grammarFilter: fc.Arbitrary<string> = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc
      .tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'Or', 'xor'), tie('filter'))
      .map((parts) => parts.join(' ')),
    tie('filter').map((f) => `not (${f})`),
    tie('filter').map((f) => `(${f})`),
    fc.tuple(attributePath, tie('filter')).map(([path, f]) => `${path}[${f}]`),
  ),
})).filter;

/** Shapes that are cheap to send and expensive to evaluate: long and/or chains, deep nesting. */
const amplifyingFilter = fc.oneof(
  fc
    .tuple(fc.integer({ min: 2, max: 600 }), fc.constantFrom(' or ', ' and '))
    .map(([terms, joiner]) => Array.from({ length: terms }, (_, i) => `userName eq "u${i}"`).join(joiner)),
  fc
    .integer({ min: 2, max: 1_500 })
    .map((depth) => `${'('.repeat(depth)}userName eq "a"${')'.repeat(depth)}`),
  fc
    .integer({ min: 2, max: 600 })
    .map((depth) => `${'not ('.repeat(depth)}active eq true${')'.repeat(depth)}`),
  fc
    .integer({ min: 2, max: 300 })
    .map((depth) => `${'emails['.repeat(depth)}value eq "x"${']'.repeat(depth)}`),
  fc.integer({ min: 2, max: 900 }).map((depth) => `${'('.repeat(depth)}`),
  fc.integer({ min: 1, max: 6_000 }).map((length) => `userName co "${'a'.repeat(length)}"`),
);

export const filterExpression: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: grammarFilter, weight: 6 },
  { arbitrary: amplifyingFilter, weight: 2 },
  { arbitrary: hostileString, weight: 1 },
);

const hostileInteger = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom(
    '0',
    '-1',
    '1e20',
    '1e400',
    '9007199254740993',
    'NaN',
    'Infinity',
    '-0',
    '0x10',
    '1.5',
    '',
    'abc',
  ),
);

/** The other list parameters (RFC 7644 §3.4.2.3–4): paging, sorting, projection. */
export const listParameters: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    startIndex: hostileInteger,
    count: hostileInteger,
    sortBy: fc.oneof(attributePath, hostileString),
    sortOrder: fc.oneof(fc.constantFrom('ascending', 'descending', 'ASCENDING', 'sideways'), hostileString),
    attributes: fc.oneof(
      attributePath,
      fc.array(attributePath, { maxLength: 50 }).map((a) => a.join(',')),
    ),
    excludedAttributes: fc.oneof(
      attributePath,
      fc.array(attributePath, { maxLength: 50 }).map((a) => a.join(',')),
    ),
  },
  { requiredKeys: [] },
);
