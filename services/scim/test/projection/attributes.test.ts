import { describe, expect, test } from 'vitest';
import { AttributeProjection, projectResource } from '../../src/projection/attributes.ts';

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

describe('a value-filter path stands for the attribute it filters', () => {
  const USER_WITH_EMAILS = { ...USER, emails: [...USER.emails, { value: 'b@home.org', type: 'home' }] };

  test('attributes=emails[type eq "work"] is attributes=emails', () => {
    const asked = projectResource(USER_WITH_EMAILS, 'User', { attributes: 'emails[type eq "work"]' });
    expect(asked).toEqual(projectResource(USER_WITH_EMAILS, 'User', { attributes: 'emails' }));
    expect(asked.emails).toEqual(USER_WITH_EMAILS.emails);
  });

  test('with a sub-attribute, a URN prefix, and commas inside the filter', () => {
    expect(
      projectResource(USER_WITH_EMAILS, 'User', {
        attributes: `${U}:emails[type eq "a,b" or value co "]"].value,userName`,
      }),
    ).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      userName: 'bjensen',
      emails: [{ value: 'b@x.com' }, { value: 'b@home.org' }],
    });
  });

  test('a stray bracket does not swallow the names after it', () => {
    expect(projectResource(USER, 'User', { attributes: 'nope],userName' })).toEqual({
      schemas: USER.schemas,
      id: 'u1',
      userName: 'bjensen',
    });
  });

  test('excludedAttributes too', () => {
    expect(
      projectResource(GROUP, 'Group', { excludedAttributes: 'members[value eq "u1"],displayName' }),
    ).toEqual({ schemas: GROUP.schemas, id: 'g1', meta: GROUP.meta });
  });

  test.each([
    'emails[type eq "work"',
    'emails[type zz "work"]',
    'emails[type eq "work"].nope',
    'nope[type eq "work"]',
    'userName[value eq "x"]',
  ])('%s → 400 invalidPath', (attributes) => {
    expect(() => new AttributeProjection({ attributes }, 'User')).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType: 'invalidPath' }),
    );
    expect(() => new AttributeProjection({ excludedAttributes: attributes }, 'User')).toThrowError(
      expect.objectContaining({ httpStatus: 400, scimType: 'invalidPath' }),
    );
  });
});

describe('AttributeProjection: what a response shows (whether to read it at all)', () => {
  test.each([
    [{}, true, true],
    [{ excludedAttributes: 'members' }, false, false],
    [{ excludedAttributes: 'urn:ietf:params:scim:schemas:core:2.0:Group:MEMBERS' }, false, false],
    [{ excludedAttributes: 'members.display' }, true, false],
    [{ excludedAttributes: 'members.value' }, true, true],
    [{ excludedAttributes: 'displayName' }, true, true],
    [{ attributes: 'displayName' }, false, false],
    [{ attributes: 'members' }, true, true],
    [{ attributes: 'members.value' }, true, false],
    [{ attributes: 'members.display' }, true, true],
    [{ attributes: 'members[value eq "u1"]' }, true, true],
  ])('%o: members %s, members.display %s', (request, members, display) => {
    const projection = new AttributeProjection(request, 'Group');
    expect(projection.shows('members')).toBe(members);
    expect(projection.shows('members.display')).toBe(display);
  });

  test('requested: whether either parameter names anything', () => {
    expect(new AttributeProjection({}, 'Group').requested).toBe(false);
    expect(new AttributeProjection({ attributes: ' , ' }, 'Group').requested).toBe(false);
    expect(new AttributeProjection({ attributes: 'displayName' }, 'Group').requested).toBe(true);
    expect(new AttributeProjection({ excludedAttributes: 'members' }, 'Group').requested).toBe(true);
  });
});
