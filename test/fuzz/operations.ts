import fc from 'fast-check';
import { PATCH_OP } from '../src/fixtures.ts';
import { type ExistingResources, groupBody, resourceId, userBody } from './resources.ts';
import { hostileString, hostileValue, mostly } from './values.ts';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

// Okta sends lower case, Entra capitalized; anything else must be refused, not crash.
const op = fc.oneof(
  { arbitrary: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove'), weight: 5 },
  { arbitrary: fc.constantFrom('ADD', 'move', 'copy', 'test', ''), weight: 1 },
);

const patchPath = (existing: ExistingResources) =>
  fc.oneof(
    fc.constantFrom(
      'active',
      'userType',
      'title',
      'displayName',
      'name.givenName',
      'emails',
      'emails[type eq "work"].value',
      'emails[primary eq true]',
      'roles',
      'roles[value eq "organization-admin"]',
      'members',
      'externalId',
      'id',
      'meta.created',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
      'emails[type eq "work"',
      'emails[]',
      'members[value eq ',
      'nosuch.attribute',
      '',
    ),
    resourceId(existing.userIds).map((id) => `members[value eq "${id}"]`),
    hostileString,
  );

/** Entra removes group members by a value list, Okta by a filtered path; both at scale. */
const memberValues = (existing: ExistingResources) =>
  fc.oneof(
    fc.array(fc.record({ value: resourceId(existing.userIds) }), { maxLength: 5 }),
    fc
      .integer({ min: 50, max: 8_000 })
      .map((n) => Array.from({ length: n }, (_, i) => ({ value: `missing-${i}` }))),
  );

const operation = (existing: ExistingResources) =>
  fc.record(
    {
      op,
      path: patchPath(existing),
      value: fc.oneof(
        hostileValue,
        memberValues(existing),
        fc.constantFrom('True', 'False', true, false),
        fc.record({ active: mostly(fc.boolean()) }),
        fc.record({ userType: hostileValue, title: hostileValue }, { requiredKeys: [] }),
      ),
    },
    { requiredKeys: ['op'] },
  );

/** A PatchOp body (RFC 7644 §3.5.2): a few operations usually, occasionally thousands. */
export const patchBody = (existing: ExistingResources): fc.Arbitrary<unknown> =>
  fc.record(
    {
      schemas: fc.oneof(
        { arbitrary: fc.constant([PATCH_OP]), weight: 5 },
        { arbitrary: hostileValue, weight: 1 },
      ),
      Operations: fc.oneof(
        { arbitrary: fc.array(operation(existing), { maxLength: 6 }), weight: 6 },
        {
          arbitrary: fc
            .tuple(operation(existing), fc.integer({ min: 100, max: 5_000 }))
            .map(([one, times]) => Array.from({ length: times }, () => one)),
          weight: 1,
        },
        { arbitrary: hostileValue, weight: 1 },
      ),
    },
    { requiredKeys: [] },
  );

const bulkOperation = (existing: ExistingResources): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      method: fc.oneof(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'post', 'GET'), hostileString),
      bulkId: fc.oneof(fc.constantFrom('a', 'b', 'c'), hostileString),
      version: fc.constantFrom('W/"1"', 'W/"999"', '*', ''),
      path: fc.oneof(
        fc.constantFrom('/Users', '/Groups', '/Bulk', '/Users/bulkId:a', '/Groups/bulkId:b', 'Users', '/'),
        resourceId(existing.userIds).map((id) => `/Users/${id}`),
        resourceId(existing.groupIds).map((id) => `/Groups/${id}`),
      ),
      data: fc.oneof(
        userBody,
        groupBody(existing),
        patchBody(existing),
        fc.constant({
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:a' }] }],
        }),
        fc.constant({ schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', data: {} }] }),
        hostileValue,
      ),
    },
    { requiredKeys: ['method', 'path'] },
  );

/** bulkId cycles: a refers to b, b refers to a (RFC 7644 §3.7.1 says the server must detect them). */
const bulkCycle = fc.constant([
  {
    method: 'POST',
    bulkId: 'a',
    path: '/Groups',
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'A',
      members: [{ value: 'bulkId:b' }],
    },
  },
  {
    method: 'POST',
    bulkId: 'b',
    path: '/Groups',
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'B',
      members: [{ value: 'bulkId:a' }],
    },
  },
]);

export const bulkBody = (existing: ExistingResources): fc.Arbitrary<unknown> =>
  fc.record(
    {
      schemas: fc.oneof(
        { arbitrary: fc.constant([BULK_REQUEST]), weight: 5 },
        { arbitrary: hostileValue, weight: 1 },
      ),
      failOnErrors: fc.oneof(fc.integer({ min: -2, max: 5 }), hostileValue),
      Operations: fc.oneof(
        { arbitrary: fc.array(bulkOperation(existing), { maxLength: 5 }), weight: 5 },
        { arbitrary: bulkCycle, weight: 1 },
        { arbitrary: hostileValue, weight: 1 },
      ),
    },
    { requiredKeys: ['schemas'] },
  );

/** A Bulk request with exactly `count` cheap operations (each a PATCH of a user that does not exist). */
export const bulkOfSize = (count: number): unknown => ({
  schemas: [BULK_REQUEST],
  Operations: Array.from({ length: count }, (_, i) => ({
    method: 'PATCH',
    path: `/Users/missing-${i}`,
    data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
  })),
});
