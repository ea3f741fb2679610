import { describe, expect, test } from 'vitest';
import { projectResource } from '../../src/projection/attributes.ts';

const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const R = 'urn:roster:params:scim:schemas:extension:provisioning:1.0:User';

const USER = {
  schemas: [U, E, R],
  id: 'u1',
  externalId: 'x1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [{ value: 'b@x.com', type: 'work', primary: true }],
  active: true,
  [E]: { department: 'R&D', costCenter: '42' },
  [R]: { license: 'org-full-license', workspaces: ['Sales'] },
  meta: { resourceType: 'User', version: 'W/"1"' },
};

const GROUP = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'g1',
  displayName: 'Sales',
  members: [{ value: 'u1', display: 'Barbara' }],
  meta: { resourceType: 'Group' },
};

describe('projectResource', () => {
  test('no request returns everything (no returned:request/never attributes are declared)', () => {
    expect(projectResource(USER, 'User', {})).toEqual(USER);
  });

  test('attributes keeps the named ones plus id and schemas', () => {
    expect(projectResource(USER, 'User', { attributes: ['USERNAME', 'name.givenName'] })).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
    });
  });

  test('attributes with sub-attributes of multi-valued and extension attributes', () => {
    expect(
      projectResource(USER, 'User', { attributes: ['emails.value', `${E}:department`, 'meta.version'] }),
    ).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      emails: [{ value: 'b@x.com' }],
      [E]: { department: 'R&D' },
      meta: { version: 'W/"1"' },
    });
  });

  test('a schema URN selects the whole extension', () => {
    expect(projectResource(USER, 'User', { attributes: [R] })).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      [R]: USER[R],
    });
  });

  test('excludedAttributes removes attributes and sub-attributes but never id', () => {
    expect(
      projectResource(USER, 'User', {
        excludedAttributes: ['id', 'emails', 'name.familyName', `${E}:department`, R],
      }),
    ).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      externalId: 'x1',
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
      active: true,
      [E]: { costCenter: '42' },
      meta: USER.meta,
    });
  });

  test('excludedAttributes=members on groups', () => {
    const { members: _members, ...rest } = GROUP;
    expect(projectResource(GROUP, 'Group', { excludedAttributes: 'members' })).toEqual(rest);
  });

  test('unknown names are ignored', () => {
    expect(projectResource(GROUP, 'Group', { attributes: ['nope', 'displayName'] })).toEqual({
      schemas: GROUP.schemas,
      id: 'g1',
      displayName: 'Sales',
    });
  });

  test('comma-separated query parameters', () => {
    expect(projectResource(USER, 'User', { attributes: ' userName , name.givenName,,' })).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
    });
  });
});
