import { SCHEMA } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { lookupAttribute, resolveAttribute } from '../../src/schemas/attribute-lookup.ts';

const ENTERPRISE = SCHEMA.enterpriseUser;

describe('resolveAttribute', () => {
  test.each([
    ['userName', 'User', { schema: SCHEMA.user, attribute: 'userName' }, ['userName']],
    ['USERNAME', 'User', { schema: SCHEMA.user, attribute: 'userName' }, ['userName']],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:userName',
      'User',
      { schema: SCHEMA.user, attribute: 'userName' },
      ['userName'],
    ],
    [
      'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:username',
      'User',
      { schema: SCHEMA.user, attribute: 'userName' },
      ['userName'],
    ],
    [
      'name.GIVENNAME',
      'User',
      { schema: SCHEMA.user, attribute: 'name', subAttribute: 'givenName' },
      ['name', 'givenName'],
    ],
    [
      'emails.value',
      'User',
      { schema: SCHEMA.user, attribute: 'emails', subAttribute: 'value' },
      ['emails', 'value'],
    ],
    [
      `${ENTERPRISE}:department`,
      'User',
      { schema: ENTERPRISE, attribute: 'department' },
      ['enterprise', 'department'],
    ],
    [
      `${ENTERPRISE}:manager.value`,
      'User',
      { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' },
      ['enterprise', 'manager', 'value'],
    ],
    ['department', 'User', { schema: ENTERPRISE, attribute: 'department' }, ['enterprise', 'department']],
    ['id', 'User', { schema: SCHEMA.user, attribute: 'id' }, ['id']],
    ['ExternalId', 'Group', { schema: SCHEMA.group, attribute: 'externalId' }, ['externalId']],
    [
      'meta.lastmodified',
      'User',
      { schema: SCHEMA.user, attribute: 'meta', subAttribute: 'lastModified' },
      ['meta', 'lastModified'],
    ],
    ['meta.version', 'User', { schema: SCHEMA.user, attribute: 'meta', subAttribute: 'version' }, undefined],
    [
      'members.value',
      'Group',
      { schema: SCHEMA.group, attribute: 'members', subAttribute: 'value' },
      ['members', 'value'],
    ],
    [
      `${SCHEMA.rosterGroup}:linkState`,
      'Group',
      { schema: SCHEMA.rosterGroup, attribute: 'linkState' },
      undefined,
    ],
  ] as const)('%s (%s)', (path, resourceType, ref, location) => {
    const found = resolveAttribute(path, resourceType);
    expect(found?.ref).toEqual(ref);
    expect(found?.location).toEqual(location);
  });

  test.each([
    ['nope', 'User'],
    ['members', 'User'],
    ['userName', 'Group'],
    ['name.nope', 'User'],
    ['name.givenName.x', 'User'],
    ['urn:unknown:schema:userName', 'User'],
    [`${ENTERPRISE}:userName`, 'User'],
    [`${SCHEMA.user}:`, 'User'],
    ['$where', 'User'],
    ['', 'User'],
  ] as const)('%s (%s) is unknown', (path, resourceType) => {
    expect(resolveAttribute(path, resourceType)).toBeUndefined();
  });

  test('definition is the addressed (sub-)attribute', () => {
    const found = resolveAttribute('emails.type', 'User');
    expect(found?.attribute.name).toBe('emails');
    expect(found?.definition.canonicalValues).toEqual(['work', 'home', 'other']);
  });

  test('lookupAttribute only accepts known schema URNs', () => {
    expect(lookupAttribute({ schema: SCHEMA.user, attribute: 'username' }, 'User')?.ref.attribute).toBe(
      'userName',
    );
    expect(lookupAttribute({ schema: 'resource', attribute: 'userName' }, 'User')).toBeUndefined();
    expect(lookupAttribute({ schema: SCHEMA.user, attribute: '$ne' }, 'User')).toBeUndefined();
  });
});
