import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { RawRequest } from '../src/raw-http.ts';
import { filterExpression, listParameters } from './filters.ts';
import { bulkBody, bulkOfSize, patchBody } from './operations.ts';
import { type ExistingResources, groupBody, resourceId, userBody } from './resources.ts';
import { hostileString, hostileValue, nestedJsonText, percentEncode } from './values.ts';

/** What the generators know about the fuzzed organization. */
export interface FuzzTarget extends ExistingResources {
  token: string;
  /** Every limit /ServiceProviderConfig advertises (maxOperations, maxPayloadSize, maxResults, …) and the README documents. */
  limits: readonly number[];
}

/** A generated request and the family that produced it (for the findings report). */
export interface HostileRequest extends RawRequest {
  family: string;
}

// node:http refuses to send header values outside latin1, and a head past Node's 16 KiB
// maxHeaderSize is cut off by its HTTP parser before any route sees it (so not worth fuzzing).
const headerSafe = (text: string) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').slice(0, 2_000);

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/scim+json'), weight: 8 },
  {
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/scim+json; charset=UTF-8',
      'application/scim+json; charset=utf-16',
      'application/json; charset=latin1',
      'APPLICATION/SCIM+JSON',
      'application/scim+json;;;',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
    ),
    weight: 3,
  },
);

const authorization = (token: string) =>
  fc.oneof(
    { arbitrary: fc.constant(`Bearer ${token}`), weight: 12 },
    {
      arbitrary: fc.constantFrom(
        `bearer ${token}`,
        `Bearer   ${token}  `,
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token}, Bearer ${token}`,
        `Basic ${Buffer.from(`user:${token}`).toString('base64')}`,
        token,
        'Bearer',
        'Bearer rst_nosuch_secret',
        'Bearer rst__',
        `Bearer ${'a'.repeat(2_000)}`,
        '',
      ),
      weight: 2,
    },
    { arbitrary: hostileString.map((s) => headerSafe(`Bearer ${s}`)), weight: 1 },
  );

const optionalHeaders = fc.record(
  {
    'if-match': fc.oneof(
      fc.constantFrom('W/"1"', '*', '"1"', 'W/""', 'W/"', 'garbage'),
      hostileString.map(headerSafe),
    ),
    'if-none-match': fc.constantFrom('*', 'W/"1"'),
    accept: fc.constantFrom('application/scim+json', 'text/html', '*/*', 'application/xml', ''),
    'x-forwarded-for': hostileString.map(headerSafe),
  },
  { requiredKeys: [] },
);

/**
 * A generated value as JSON text. A few thousand items of deeply nested long strings can pass
 * V8's maximum string length; such a value stands for "far too large": a body past the limit.
 */
/** One byte past the ingress's 1 MiB body limit. */
const PAST_THE_BODY_LIMIT = 1_048_577;

const jsonText = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.stringify({ title: 'x'.repeat(PAST_THE_BODY_LIMIT) });
  }
};

/** How a JSON body reaches the wire: plain, or broken in one of the ways a parser must survive. */
const encodedBody = (value: fc.Arbitrary<unknown>) =>
  fc.oneof(
    {
      arbitrary: value.map((v) => ({ body: Buffer.from(jsonText(v) ?? 'null'), headers: {} })),
      weight: 12,
    },
    {
      arbitrary: value.map((v) => ({
        body: Buffer.from(`{"userName":"dup@example.com","schemas":7,${(jsonText(v) ?? '{}').slice(1)}`),
        headers: {},
      })),
      weight: 1,
    },
    {
      arbitrary: fc
        .constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80])
        .map((bytes) => ({
          body: Buffer.concat([
            Buffer.from('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"'),
            Buffer.from(bytes),
            Buffer.from('@example.com"}'),
          ]),
          headers: {},
        })),
      weight: 1,
    },
    {
      arbitrary: value.map((v) => ({ body: Buffer.from(`\uFEFF${jsonText(v)}`), headers: {} })),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(value, fc.nat()).map(([v, cut]) => {
        const text = jsonText(v) ?? '';
        return { body: Buffer.from(text.slice(0, cut % (text.length + 1))), headers: {} };
      }),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 10, max: 300_000 }), fc.constantFrom('array' as const, 'object' as const))
        .map(([depth, kind]) => ({ body: Buffer.from(nestedJsonText(depth, kind)), headers: {} })),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(value, fc.constantFrom('gzip', 'deflate', 'br', 'identity')).map(([v, coding]) => {
        const plain = Buffer.from(jsonText(v) ?? 'null');
        const body = coding === 'gzip' ? gzipSync(plain) : coding === 'deflate' ? deflateSync(plain) : plain;
        return { body, headers: { 'content-encoding': coding } };
      }),
      weight: 1,
    },
  );

// Paths and queries stay under 10 KB so the whole head fits Node's limit (see headerSafe).
const MAX_PATH_LENGTH = 10_000;

const listPath = (resource: string) =>
  fc.tuple(fc.option(filterExpression, { nil: undefined }), listParameters).map(([filter, params]) => {
    const query = Object.entries({ ...params, ...(filter === undefined ? {} : { filter }) })
      .map(([key, value]) => `${key}=${percentEncode(value)}`)
      .join('&');
    return `/${resource}${query ? `?${query}` : ''}`;
  });

const idSegment = (ids: readonly string[]) =>
  fc.oneof(
    { arbitrary: resourceId(ids).map(percentEncode), weight: 5 },
    {
      arbitrary: fc.constantFrom(
        '%00',
        '%ZZ',
        '%FF%FE',
        '..%2F..%2Fadmin%2Fv1%2Forgs',
        '%2e%2e',
        'a%20b',
        'x'.repeat(101),
        'x'.repeat(2_000),
      ),
      weight: 1,
    },
  );

/** `{"a":{"a":…}}`, `depth` levels deep. */
const nestedValue = (depth: number): unknown => {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
};

interface LimitProbe {
  method: string;
  path: string;
  /** Roughly the bytes it takes, known before building it (most probes past 4 MiB are skipped). */
  size: number;
  build?: () => unknown;
}

const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Sizes at and just past every limit, in every dimension a limit could count; built when drawn. */
const atTheLimits = (target: FuzzTarget): fc.Arbitrary<{ method: string; path: string; value: unknown }> => {
  const [someUser = 'missing'] = target.userIds;
  const [someGroup = 'missing'] = target.groupIds;
  const probes = target.limits.flatMap((limit) =>
    [limit - 1, limit, limit + 1].flatMap((n): LimitProbe[] => {
      const user = (extra: Record<string, unknown>) => ({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `limit-${n}@example.com`,
        ...extra,
      });
      const many = <T>(item: (i: number) => T) => Array.from({ length: n }, (_, i) => item(i));
      const shapes: LimitProbe[] = [
        { method: 'POST', path: '/Users', size: n, build: () => user({ title: 'x'.repeat(n) }) },
        {
          method: 'POST',
          path: '/Users',
          size: n * 30,
          build: () => user({ emails: many((i) => ({ value: `e${i}@example.com` })) }),
        },
        {
          method: 'PATCH',
          path: `/Users/${someUser}`,
          size: n * 45,
          build: () => ({
            schemas: [PATCH_OP_URN],
            Operations: many(() => ({ op: 'replace', path: 'title', value: 't' })),
          }),
        },
        {
          method: 'PATCH',
          path: `/Groups/${someGroup}`,
          size: n * 16,
          build: () => ({
            schemas: [PATCH_OP_URN],
            Operations: [{ op: 'add', path: 'members', value: many((i) => ({ value: `m${i}` })) }],
          }),
        },
        { method: 'POST', path: '/Bulk', size: n * 150, build: () => bulkOfSize(n) },
        { method: 'GET', path: `/Users?count=${n}&startIndex=${n}`, size: 0 },
        {
          method: 'GET',
          path: `/Users?filter=${percentEncode(`${'('.repeat(Math.min(n, MAX_PATH_LENGTH))}userName eq "a"${')'.repeat(Math.min(n, MAX_PATH_LENGTH))}`)}`,
          size: n * 6,
        },
        // JSON.stringify itself recurses: nesting is probed at the small limits only.
        {
          method: 'POST',
          path: '/Users',
          size: n <= 1_025 ? n * 6 : Number.POSITIVE_INFINITY,
          build: () => user({ nested: nestedValue(n) }),
        },
      ];
      // Past 4 MiB a request only tests the body limit, which the title probe already does; past
      // 10 KB a query no longer fits the head (see MAX_PATH_LENGTH).
      return shapes.filter(
        (shape) =>
          n >= 0 && shape.size <= 4 * 1_048_576 && (shape.method !== 'GET' || shape.size <= MAX_PATH_LENGTH),
      );
    }),
  );
  return fc
    .constantFrom(...probes)
    .map((probe) => ({ method: probe.method, path: probe.path, value: probe.build?.() }));
};

/** Body sizes at and just past each advertised limit (the 1 MiB payload limit among them). */
const bodySizesAtTheLimits = (target: FuzzTarget): number[] =>
  [1_048_576, ...target.limits]
    .flatMap((limit) => [limit - 1, limit, limit + 1])
    .filter((bytes) => bytes > 100 && bytes <= 4 * 1_048_576);

/** A request body exactly `bytes` long (a User whose title fills the rest). */
const bodyOfBytes = (bytes: number): Buffer => {
  const frame = (title: string) =>
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `bytes-${bytes}@example.com`,
      title,
    });
  return Buffer.from(frame('x'.repeat(Math.max(0, bytes - frame('').length))));
};

/** Every hostile request the fuzzer sends, weighted towards the writes IdPs make. */
export const hostileRequest = (target: FuzzTarget): fc.Arbitrary<HostileRequest> => {
  const withBody = (
    family: string,
    method: fc.Arbitrary<string>,
    path: fc.Arbitrary<string>,
    value: fc.Arbitrary<unknown>,
  ) =>
    fc
      .record({
        method,
        path,
        encoded: encodedBody(value),
        contentType,
        authorization: authorization(target.token),
        extra: optionalHeaders,
        chunked: fc.boolean(),
      })
      .map(
        (r): HostileRequest => ({
          family,
          method: r.method,
          path: r.path.slice(0, MAX_PATH_LENGTH),
          body: r.encoded.body,
          chunked: r.chunked,
          headers: {
            ...r.extra,
            ...r.encoded.headers,
            authorization: r.authorization,
            'content-type': r.contentType,
          },
        }),
      );
  const withoutBody = (family: string, method: fc.Arbitrary<string>, path: fc.Arbitrary<string>) =>
    fc.record({ method, path, authorization: authorization(target.token), extra: optionalHeaders }).map(
      (r): HostileRequest => ({
        family,
        method: r.method,
        path: r.path.slice(0, MAX_PATH_LENGTH),
        headers: { ...r.extra, authorization: r.authorization },
      }),
    );

  const users = idSegment(target.userIds).map((id) => `/Users/${id}`);
  const groups = idSegment(target.groupIds).map((id) => `/Groups/${id}`);
  return fc.oneof(
    { arbitrary: withBody('user body', fc.constant('POST'), fc.constant('/Users'), userBody), weight: 4 },
    { arbitrary: withBody('user replace', fc.constant('PUT'), users, userBody), weight: 1 },
    {
      arbitrary: withBody(
        'group body',
        fc.constantFrom('POST', 'PUT'),
        fc.oneof(fc.constant('/Groups'), groups),
        groupBody(target),
      ),
      weight: 2,
    },
    { arbitrary: withBody('user patch', fc.constant('PATCH'), users, patchBody(target)), weight: 4 },
    { arbitrary: withBody('group patch', fc.constant('PATCH'), groups, patchBody(target)), weight: 3 },
    { arbitrary: withBody('bulk', fc.constant('POST'), fc.constant('/Bulk'), bulkBody(target)), weight: 2 },
    {
      arbitrary: withBody(
        'any body',
        fc.constantFrom('POST', 'PUT', 'PATCH'),
        fc.oneof(users, groups, fc.constant('/Users')),
        hostileValue,
      ),
      weight: 1,
    },
    {
      arbitrary: withoutBody('list', fc.constant('GET'), fc.oneof(listPath('Users'), listPath('Groups'))),
      weight: 5,
    },
    { arbitrary: withoutBody('read', fc.constantFrom('GET', 'DELETE'), fc.oneof(users, groups)), weight: 2 },
    {
      arbitrary: withoutBody(
        'other route',
        fc.constantFrom('GET', 'POST', 'OPTIONS', 'DELETE'),
        fc.oneof(
          fc.constantFrom(
            '/ServiceProviderConfig',
            '/Schemas',
            '/ResourceTypes/User',
            '/Schemas/nosuch',
            '/Me',
            '/.search',
            '/',
            '/Users/.search',
          ),
          hostileString.map((s) => `/${percentEncode(s)}`),
        ),
      ),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(atTheLimits(target), authorization(target.token)).map(
        ([probe, auth]): HostileRequest => ({
          family: 'at the limits',
          method: probe.method,
          path: probe.path,
          headers: {
            authorization: auth,
            ...(probe.value === undefined ? {} : { 'content-type': 'application/scim+json' }),
          },
          ...(probe.value === undefined ? {} : { body: Buffer.from(JSON.stringify(probe.value)) }),
        }),
      ),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom(...bodySizesAtTheLimits(target)).map(
        (bytes): HostileRequest => ({
          family: 'body bytes at the limits',
          method: 'POST',
          path: '/Users',
          headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/scim+json' },
          body: bodyOfBytes(bytes),
        }),
      ),
      weight: 1,
    },
  );
};
