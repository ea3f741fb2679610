import fc from 'fast-check';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA } from '../src/fixtures.ts';
import { hostileString, hostileValue, mostly } from './values.ts';

/** Ids the generated requests refer to: resources that exist in the fuzzed org, and ones that do not. */
export interface ExistingResources {
  userIds: readonly string[];
  groupIds: readonly string[];
}

export const resourceId = (ids: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...ids), weight: 3 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );

const schemas = fc.oneof(
  { arbitrary: fc.constant([USER_SCHEMA]), weight: 4 },
  {
    arbitrary: fc.constantFrom<unknown>(
      [GROUP_SCHEMA],
      [USER_SCHEMA, ENTERPRISE],
      ['urn:bogus'],
      [],
      USER_SCHEMA,
      null,
      [USER_SCHEMA, USER_SCHEMA],
    ),
    weight: 1,
  },
);

const userName = fc.oneof(
  { arbitrary: fc.emailAddress(), weight: 3 },
  { arbitrary: hostileString, weight: 1 },
);

const license = fc.constantFrom(
  'org-full-license',
  'org-free-license',
  'org-restricted-license',
  'ORG-FULL-LICENSE',
  'free',
  '',
);

const multiValued = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: fc.array(item, { maxLength: 4 }), weight: 4 },
    {
      arbitrary: fc
        .integer({ min: 100, max: 5_000 })
        .chain((n) => fc.array(item, { minLength: n, maxLength: n })),
      weight: 1,
    },
  );

const email = fc.record(
  {
    value: mostly(fc.emailAddress()),
    type: mostly(fc.constantFrom('work', 'home', 'other')),
    primary: mostly(fc.boolean()),
  },
  { requiredKeys: [] },
);

/** A User as Okta or Entra would send it, with any attribute replaced by a hostile value. */
export const userBody: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    schemas,
    userName,
    externalId: mostly(fc.uuid()),
    active: mostly(fc.constantFrom(true, false, 'True', 'False')),
    userType: mostly(license),
    title: mostly(hostileString),
    displayName: mostly(hostileString),
    name: mostly(
      fc.record(
        { givenName: mostly(hostileString), familyName: mostly(hostileString) },
        { requiredKeys: [] },
      ),
    ),
    emails: mostly(multiValued(email)),
    roles: mostly(
      multiValued(
        fc.record({
          type: mostly(fc.constant('synthesia_role')),
          value: mostly(fc.constantFrom('organization-admin', 'member')),
        }),
      ),
    ),
    [ENTERPRISE]: mostly(
      fc.record({ department: mostly(hostileString), manager: mostly(fc.record({ value: hostileString })) }),
    ),
    id: hostileValue,
    meta: hostileValue,
    unknownAttribute: hostileValue,
  },
  { requiredKeys: ['schemas', 'userName'] },
);

export const groupBody = (existing: ExistingResources): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      schemas: fc.oneof(
        { arbitrary: fc.constant([GROUP_SCHEMA]), weight: 4 },
        { arbitrary: schemas, weight: 1 },
      ),
      displayName: mostly(hostileString),
      externalId: mostly(fc.uuid()),
      members: mostly(
        multiValued(
          fc.record(
            { value: mostly(resourceId(existing.userIds)), display: hostileValue },
            { requiredKeys: ['value'] },
          ),
        ),
      ),
    },
    { requiredKeys: ['schemas', 'displayName'] },
  );
