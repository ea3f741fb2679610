import { describe, expect, test } from 'vitest';
import { GROUP_SCHEMA, newUser, PATCH_OP, USER_SCHEMA } from '../src/fixtures.ts';
import { newOrganization } from '../src/org.ts';
import type { ScimClient } from '../src/scim-client.ts';
import type { RunningStack } from '../src/stack.ts';
import { withStackAndOrganization } from '../src/suite.ts';

// Issue 10, findings 1, 2 and 5 and the "Limits" bullet, through HTTP against the whole stack:
// each limit at the boundary (accepted) and one past it (the SCIM error), before anything is published.

let stack: RunningStack;
let scim: ScimClient;

withStackAndOrganization((suite) => {
  ({ stack, scim } = suite);
});

// The limits as the README documents them (services/scim/src/limits.ts).
const MAX_STRING = 2_048;
const MAX_USER_BYTES = 65_536;
const MAX_ITEMS = 1_000;
const MAX_OPERATIONS = 100;
const MAX_COMPARISONS = 1_024;
const MAX_FILTER_DEPTH = 24;
const MAX_BODY_DEPTH = 32;

const scimError = (status: number, scimType?: string) =>
  expect.objectContaining({
    status,
    body: expect.objectContaining({ status: String(status), ...(scimType ? { scimType } : {}) }),
  });

const patchOf = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

let serial = 0;
const createUser = async (client: ScimClient, extra: Record<string, unknown> = {}): Promise<string> => {
  const created = await client.post('/Users', newUser(`limits-${++serial}@example.com`, extra));
  expect(created.status).toBe(201);
  return created.body.id;
};

/** Another organization's write still succeeds: the pipeline serves every tenant. */
const anotherOrganizationStillProvisions = async () => {
  const { scim: other } = await newOrganization(stack);
  await createUser(other);
};

describe('discovery', () => {
  test('ServiceProviderConfig advertises the Bulk and filter limits that are enforced', async () => {
    const config = await scim.get('/ServiceProviderConfig');
    expect(config.body).toMatchObject({
      bulk: { supported: true, maxOperations: 100, maxPayloadSize: 1_048_576 },
      filter: { supported: true, maxResults: 200 },
    });
  });
});

describe('list paging', () => {
  test('startIndex=1e20 is an empty page, not a 5xx; count past maxResults is capped', async () => {
    await createUser(scim);
    const far = await scim.get('/Users?startIndex=1e20');
    expect(far.status).toBe(200);
    expect(far.body).toMatchObject({ Resources: [], itemsPerPage: 0 });
    expect(far.body.totalResults).toBeGreaterThan(0);
    const capped = await scim.get('/Users?count=100000000000');
    expect(capped.status).toBe(200);
    expect(capped.body.itemsPerPage).toBeLessThanOrEqual(200);
  });
});

describe('filters', () => {
  const query = (filter: string) => scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
  const parenthesized = (levels: number) =>
    `${'('.repeat(levels)}userName eq "a" or userName eq "b"${')'.repeat(levels)}`;

  test('nesting: at the depth limit answers, one level more is 400 tooMany', async () => {
    expect(await query(parenthesized(MAX_FILTER_DEPTH))).toMatchObject({ status: 200 });
    expect(await query(parenthesized(MAX_FILTER_DEPTH + 1))).toEqual(scimError(400, 'tooMany'));
  });

  test('and/or chains count: 1,024 comparisons in a PATCH path are applied, 1,025 are 400 tooMany', async () => {
    const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Chain', members: [] });
    const removal = (count: number) =>
      patchOf({
        op: 'remove',
        path: `members[${Array.from({ length: count }, (_, i) => `value eq "id-${i}"`).join(' or ')}]`,
      });
    expect(await scim.patch(`/Groups/${group.body.id}`, removal(MAX_COMPARISONS))).toMatchObject({
      status: 204,
    });
    expect(await scim.patch(`/Groups/${group.body.id}`, removal(MAX_COMPARISONS + 1))).toEqual(
      scimError(400, 'tooMany'),
    );
  });
});

describe('PATCH', () => {
  test('operations: 100 are applied, 101 are 400 tooMany', async () => {
    const id = await createUser(scim);
    const titles = (count: number) =>
      patchOf(...Array.from({ length: count }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` })));
    const applied = await scim.patch(`/Users/${id}`, titles(MAX_OPERATIONS));
    expect(applied).toMatchObject({ status: 200, body: { title: `t${MAX_OPERATIONS - 1}` } });
    expect(await scim.patch(`/Users/${id}`, titles(MAX_OPERATIONS + 1))).toEqual(scimError(400, 'tooMany'));
  });

  test('values per operation: 1,000 emails are added, 1,001 are 400 tooMany', async () => {
    const id = await createUser(scim);
    const emails = (count: number) =>
      patchOf({
        op: 'add',
        path: 'emails',
        value: Array.from({ length: count }, (_, i) => ({ value: `e${i}@example.com`, type: 'other' })),
      });
    const applied = await scim.patch(`/Users/${id}`, emails(MAX_ITEMS));
    expect(applied.status).toBe(200);
    expect(applied.body.emails).toHaveLength(MAX_ITEMS + 1);
    expect(await scim.patch(`/Users/${id}`, emails(MAX_ITEMS + 1))).toEqual(scimError(400, 'tooMany'));
  });

  test('a request whose command would not fit a Kafka message is 413', async () => {
    const id = await createUser(scim);
    const photos = Array.from({ length: 300 }, (_, i) => ({ value: `${i}`.padEnd(MAX_STRING, 'p') }));
    expect(await scim.patch(`/Users/${id}`, patchOf({ op: 'add', path: 'photos', value: photos }))).toEqual(
      scimError(413),
    );
  });
});

describe('strings, bodies and resources', () => {
  test('a string of 2,048 characters is stored, 2,049 is 400 invalidValue', async () => {
    const id = await createUser(scim, { title: 't'.repeat(MAX_STRING) });
    expect((await scim.get(`/Users/${id}`)).body.title).toHaveLength(MAX_STRING);
    expect(
      await scim.post('/Users', newUser('long@example.com', { title: 't'.repeat(MAX_STRING + 1) })),
    ).toEqual(scimError(400, 'invalidValue'));
  });

  test('a body nested 32 levels is read, 33 is 400 invalidSyntax', async () => {
    const nested = (levels: number): unknown => (levels === 0 ? 'x' : { inner: nested(levels - 1) });
    // the body is level 1, its `unknownExtra` object level 2
    expect(
      await scim.post('/Users', newUser('deep@example.com', { unknownExtra: nested(MAX_BODY_DEPTH - 1) })),
    ).toMatchObject({
      status: 201,
    });
    expect(
      await scim.post('/Users', newUser('deeper@example.com', { unknownExtra: nested(MAX_BODY_DEPTH) })),
    ).toEqual(scimError(400, 'invalidSyntax'));
    const id = await createUser(scim);
    const abyss = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const patch = `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"title","value":${abyss}}]}`;
    expect(await scim.patch(`/Users/${id}`, patch)).toEqual(scimError(400, 'invalidSyntax'));
  });

  test('a user of exactly 65,536 bytes is created, one byte more is 400 invalidValue', async () => {
    /** A POST body whose canonical user ({active, userName, photos}) serializes to `bytes`. */
    const userOfSize = (userName: string, bytes: number) => {
      const photos: { value: string }[] = [];
      const size = () => JSON.stringify({ active: true, userName, photos }).length;
      while (bytes - size() > MAX_STRING + 20)
        photos.push({ value: `${photos.length}`.padEnd(MAX_STRING, 'p') });
      photos.push({ value: '' });
      photos.at(-1)!.value = 'q'.repeat(bytes - size());
      return { schemas: [USER_SCHEMA], userName, photos };
    };
    expect(await scim.post('/Users', userOfSize('exact@example.com', MAX_USER_BYTES))).toMatchObject({
      status: 201,
    });
    expect(await scim.post('/Users', userOfSize('over@example.com', MAX_USER_BYTES + 1))).toEqual(
      scimError(400, 'invalidValue'),
    );
  });

  test('finding 1: a 900 KB email is refused, and PATCHes can grow a user only up to the limit; the pipeline serves everyone after', async () => {
    const id = await createUser(scim);
    const huge = patchOf({
      op: 'add',
      path: 'emails',
      value: [{ value: `${'x'.repeat(900_000)}@example.com` }],
    });
    expect(await scim.patch(`/Users/${id}`, huge)).toEqual(scimError(400, 'invalidValue'));

    // Each PATCH adds 16 emails at the string limit (~33 KB): the third would pass 64 KiB.
    const grow = (round: number) =>
      patchOf({
        op: 'add',
        path: 'emails',
        value: Array.from({ length: 16 }, (_, i) => ({ value: `${round}-${i}@`.padEnd(MAX_STRING, 'x') })),
      });
    expect(await scim.patch(`/Users/${id}`, grow(1))).toMatchObject({ status: 200 });
    const refusal = await scim
      .patch(`/Users/${id}`, grow(2))
      .then(async (second) => (second.status === 200 ? scim.patch(`/Users/${id}`, grow(3)) : second));
    expect(refusal).toEqual(scimError(400, 'invalidValue'));
    const stored = await scim.get(`/Users/${id}`);
    expect(stored.status).toBe(200);
    expect(JSON.stringify(stored.body.emails).length).toBeLessThan(MAX_USER_BYTES);
    await anotherOrganizationStillProvisions();
  });
});
