import { describe, expect, test } from 'vitest';
import { RESOURCE_TYPES } from '../../src/scim/resource-types.ts';
import { LICENSES } from '../../src/scim/resources.ts';
import {
  ALL_SCHEMAS,
  type AttributeDefinition,
  lookupAttribute,
  resolveAttribute,
  USER_SCHEMA,
} from '../../src/scim/schema-definitions.ts';
import { SCHEMA } from '../../src/scim/urns.ts';

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

describe('schema resources', () => {
  const characteristicsComplete = (d: AttributeDefinition): boolean =>
    ['name', 'type', 'multiValued', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness'].every(
      (k) => k in d,
    ) && (d.subAttributes ?? []).every(characteristicsComplete);

  test('every attribute declares every characteristic', () => {
    for (const schema of ALL_SCHEMAS) expect(schema.attributes.every(characteristicsComplete)).toBe(true);
  });

  test('product rules are declared', () => {
    const byName = (n: string) => USER_SCHEMA.attributes.find((a) => a.name === n);
    expect(byName('userName')).toMatchObject({ required: true, caseExact: false, uniqueness: 'server' });
    expect(byName('userType')?.canonicalValues).toEqual(LICENSES);
    expect(byName('photos')?.subAttributes?.find((s) => s.name === 'value')?.type).toBe('reference');
    expect(resolveAttribute('externalId', 'User')?.definition.caseExact).toBe(true);
    expect(resolveAttribute('id', 'User')?.definition).toMatchObject({ caseExact: true, returned: 'always' });
    expect(
      resolveAttribute(`${SCHEMA.rosterUser}:contentTransfer.state`, 'User')?.definition.mutability,
    ).toBe('readOnly');
    expect(resolveAttribute('linkState', 'Group')?.definition).toMatchObject({
      mutability: 'readOnly',
      canonicalValues: ['linked', 'unlinked'],
    });
  });

  test('resource types reference declared schemas', () => {
    const ids = new Set(ALL_SCHEMAS.map((s) => s.id));
    for (const type of Object.values(RESOURCE_TYPES)) {
      expect(ids.has(type.schema)).toBe(true);
      for (const ext of type.schemaExtensions) expect(ids.has(ext.schema)).toBe(true);
    }
  });
});
