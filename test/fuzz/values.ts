import fc from 'fast-check';

/** Strings an IdP should never send but an attacker will: control characters, NUL, lone surrogates, RTL. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'ada\u0000@example.com',
    '\uD800',
    '\uDFFF',
    'a\uDC00b',
    '\u202Eevil',
    '\uFEFF',
    '"',
    '\\',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, literally
    '${jndi:ldap://x}',
    "'; db.dropDatabase(); '",
    '{"$gt":""}',
    '$where',
    'a.b.c',
    '__proto__',
    'constructor',
    'ÆØÅ 名前 🦄 ﷽',
    'W/"1"',
    'urn:ietf:params:scim:schemas:core:2.0:User',
  ),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Any JSON value, wrong types included (a number where a string belongs, an object for a boolean). */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.constantFrom(0, -1, 1e20, -1e308, 2 ** 53 + 1, 0.5, true, false, null, 'True', 'False', '1'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A value that is usually of the right shape for `valid`, and otherwise anything. */
export const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: hostileValue, weight: 1 });

/** A JSON value nested `depth` levels deep, as text (building the value itself could overflow the stack). */
export const nestedJsonText = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD instead of throwing). */
export const percentEncode = (text: string): string =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
