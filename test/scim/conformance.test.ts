import { describe, expect, test } from 'vitest';
import { GROUP_SCHEMA, newUser, PATCH_OP } from '../src/fixtures.ts';
import { withPeople } from '../src/suite.ts';

/**
 * Issue 11, SCIM conformance with the IdP vendors' published test material: Microsoft's reference
 * tests' unquoted filter values, a value filter in `attributes`, members' `display`, and
 * `PATCH /Groups` answering 204 No Content.
 */

const PEOPLE = {
  // Microsoft's tests: `userName sw O`, `name.familyName eq Employee`
  olivia: newUser('OliviaOrtiz@contoso.example', {
    displayName: 'Olivia Ortiz',
    name: { givenName: 'Olivia', familyName: 'Employee' },
    emails: [
      { value: 'olivia@work.example', type: 'work', primary: true },
      { value: 'olivia@home.example', type: 'home' },
    ],
  }),
  peter: newUser('peter@contoso.example', { name: { givenName: 'Peter', familyName: 'Contractor' } }),
} as const;

const people = withPeople(PEOPLE);
const { ids, matching } = people;

/** `iso` (whole milliseconds, UTC) written as Microsoft does: 7 fractional digits and a -07:00 offset. */
const microsoftStyle = (iso: string, extraDigits: string): string => {
  const local = new Date(Date.parse(iso) - 7 * 3_600_000).toISOString();
  return `${local.slice(0, -1)}${extraDigits}-07:00`;
};

describe('filters with unquoted values (Microsoft’s reference tests)', () => {
  test.each([
    ['userName sw O', ['olivia']],
    ['name.familyName eq Employee', ['olivia']],
    ['meta.created gt 2015-10-10T14:38:21.8617979-07:00', ['olivia', 'peter']],
    ['meta.created lt 2015-10-10T14:38:21.8617979-07:00', []],
    ['(name.familyName eq Contractor) and active eq true', ['peter']],
    ['emails[type eq home]', ['olivia']],
  ])('%s', async (filter, expected) => {
    expect(await matching(filter)).toEqual(expected);
  });

  test('quoted forms mean what they meant', async () => {
    expect(await matching('userName sw "O"')).toEqual(await matching('userName sw O'));
    expect(await matching('name.familyName eq "Employee"')).toEqual(['olivia']);
    expect(await matching('active eq true')).toEqual(['olivia', 'peter']);
    expect(await matching('title eq null')).toEqual(['olivia', 'peter']);
  });

  test('a literal finer than a millisecond compares chronologically with meta.created', async () => {
    const created: string = (await people.scim.get(`/Users/${ids.olivia}`)).body.meta.created;
    const justAfter = microsoftStyle(created, '4000');
    const exactly = microsoftStyle(created, '0000');
    const olivia = (condition: string) =>
      matching(`userName eq "${PEOPLE.olivia.userName}" and ${condition}`);
    expect(await olivia(`meta.created gt ${justAfter}`)).toEqual([]);
    expect(await olivia(`meta.created ge ${justAfter}`)).toEqual([]);
    expect(await olivia(`meta.created eq ${justAfter}`)).toEqual([]);
    expect(await olivia(`meta.created lt ${justAfter}`)).toEqual(['olivia']);
    expect(await olivia(`meta.created le ${justAfter}`)).toEqual(['olivia']);
    expect(await olivia(`meta.created ne ${justAfter}`)).toEqual(['olivia']);
    expect(await olivia(`meta.created eq ${exactly}`)).toEqual(['olivia']);
    expect(await olivia(`meta.created gt ${exactly}`)).toEqual([]);
  });

  test.each(['userName eq O"Brien"', 'meta.created gt yesterday', 'userName sw'])(
    '%s is still 400 invalidFilter',
    async (filter) => {
      const response = await people.scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    },
  );
});

describe('attributes with a value filter', () => {
  const query = (name: 'attributes' | 'excludedAttributes', value: string) =>
    `${name}=${encodeURIComponent(value)}`;

  test('attributes=emails[type eq "work"] returns the emails, like attributes=emails', async () => {
    const one = await people.scim.get(
      `/Users/${ids.olivia}?${query('attributes', 'emails[type eq "work"]')}`,
    );
    expect(one.status).toBe(200);
    expect(one.body.emails).toEqual(PEOPLE.olivia.emails);
    expect(one.body).not.toHaveProperty('userName');
    expect(one.body).toEqual((await people.scim.get(`/Users/${ids.olivia}?attributes=emails`)).body);

    const listed = await people.scim.get(
      `/Users?filter=${encodeURIComponent('userName sw O')}&${query('attributes', 'emails[type eq "work"].value,userName')}`,
    );
    expect(listed.body.Resources).toEqual([
      {
        schemas: expect.any(Array),
        id: ids.olivia,
        userName: PEOPLE.olivia.userName,
        emails: [{ value: 'olivia@work.example' }, { value: 'olivia@home.example' }],
      },
    ]);
  });

  test('excludedAttributes=emails[type eq "work"] leaves the emails out', async () => {
    const one = await people.scim.get(
      `/Users/${ids.olivia}?${query('excludedAttributes', 'emails[type eq "work"]')}`,
    );
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('emails');
    expect(one.body.userName).toBe(PEOPLE.olivia.userName);
  });

  test('a malformed one is 400 invalidPath, also on a write, which then never happens', async () => {
    const read = await people.scim.get(
      `/Users/${ids.olivia}?${query('attributes', 'emails[type eq "work"')}`,
    );
    expect(read.status).toBe(400);
    expect(read.body).toMatchObject({ status: '400', scimType: 'invalidPath' });

    const userName = 'never-created@contoso.example';
    const write = await people.scim.post(
      `/Users?${query('attributes', 'emails[type zz "work"]')}`,
      newUser(userName),
    );
    expect(write.status).toBe(400);
    expect(write.body).toMatchObject({ status: '400', scimType: 'invalidPath' });
    expect(await matching(`userName eq "${userName}"`)).toEqual([]);
  });
});

describe('group members carry display (RFC 7643 §4.2)', () => {
  const displays = (group: { members: { value: string; display?: string }[] }) =>
    Object.fromEntries(group.members.map((m) => [m.value, m.display]));
  const byValue = (a: { value?: string }, b: { value?: string }) =>
    (a.value ?? '').localeCompare(b.value ?? '');

  test('from displayName, else userName, on every group representation; read when shown', async () => {
    const created = await people.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Display Names',
      // an IdP's own display is not what the group shows
      members: [{ value: ids.olivia, display: 'stale' }, { value: ids.peter }],
    });
    expect(created.status).toBe(201);
    const expected = { [ids.olivia!]: 'Olivia Ortiz', [ids.peter!]: PEOPLE.peter.userName };
    expect(displays(created.body)).toEqual(expected);
    const groupId = created.body.id;

    expect(displays((await people.scim.get(`/Groups/${groupId}`)).body)).toEqual(expected);
    const listed = await people.scim.get(
      `/Groups?filter=${encodeURIComponent('displayName eq "Display Names"')}`,
    );
    expect(displays(listed.body.Resources[0])).toEqual(expected);
    const replaced = await people.scim.put(`/Groups/${groupId}`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'Display Names',
      members: [{ value: ids.olivia }, { value: ids.peter }],
    });
    expect(replaced.status).toBe(200);
    expect(displays(replaced.body)).toEqual(expected);

    // read at request time: a renamed user shows at once
    const renamed = await people.scim.patch(`/Users/${ids.peter}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Peter Parker' }],
    });
    expect(renamed.status).toBe(200);
    expect(displays((await people.scim.get(`/Groups/${groupId}`)).body)[ids.peter!]).toBe('Peter Parker');

    // projections: no members, or members without display
    const excluded = await people.scim.get(`/Groups/${groupId}?excludedAttributes=members`);
    expect(excluded.body).not.toHaveProperty('members');
    const values = await people.scim.get(`/Groups/${groupId}?attributes=members.value`);
    // members are listed by id (RFC 7643 gives multi-valued attributes no order)
    expect(values.body.members).toEqual([{ value: ids.olivia }, { value: ids.peter }].sort(byValue));
  });

  test('a member who is no user any more has no display', async () => {
    const gone = await people.scim.post(
      '/Users',
      newUser('gone@contoso.example', { displayName: 'Gone Soon' }),
    );
    const created = await people.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Leavers',
      members: [{ value: gone.body.id }, { value: ids.olivia }],
    });
    expect(displays(created.body)[gone.body.id]).toBe('Gone Soon');
    expect((await people.scim.delete(`/Users/${gone.body.id}`)).status).toBe(204);
    const group = (await people.scim.get(`/Groups/${created.body.id}`)).body;
    expect(group.members).toContainEqual(expect.objectContaining({ value: gone.body.id }));
    expect(displays(group)).toEqual({ [gone.body.id]: undefined, [ids.olivia!]: 'Olivia Ortiz' });
  });
});

describe('PATCH /Groups answers 204 No Content; PATCH /Users keeps 200', () => {
  const addMember = (id: string) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
  });

  test('204 with no body and the new version’s ETag', async () => {
    const group = await people.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'No Content',
      members: [],
    });
    const patched = await people.scim.patch(`/Groups/${group.body.id}`, addMember(ids.olivia!));
    expect(patched.status).toBe(204);
    expect(patched.body).toBeUndefined();
    const after = await people.scim.get(`/Groups/${group.body.id}`);
    expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([ids.olivia]);
    expect(patched.headers.get('etag')).toBe(after.headers.get('etag'));
    expect(patched.headers.get('etag')).toBe(after.body.meta.version);
    expect(patched.headers.get('etag')).not.toBe(group.headers.get('etag'));

    const missing = await people.scim.patch('/Groups/no-such-group', addMember(ids.olivia!));
    expect(missing.status).toBe(404);
  });

  test('asking for a representation (attributes / excludedAttributes) answers 200 with it', async () => {
    const group = await people.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Projected',
      members: [],
    });
    const named = await people.scim.patch(
      `/Groups/${group.body.id}?attributes=displayName`,
      addMember(ids.olivia!),
    );
    expect(named.status).toBe(200);
    expect(named.body).toEqual({ schemas: expect.any(Array), id: group.body.id, displayName: 'Projected' });
    const withoutMembers = await people.scim.patch(
      `/Groups/${group.body.id}?excludedAttributes=members`,
      addMember(ids.peter!),
    );
    expect(withoutMembers.status).toBe(200);
    expect(withoutMembers.body).not.toHaveProperty('members');
    expect(withoutMembers.body.displayName).toBe('Projected');
    expect(withoutMembers.headers.get('etag')).toBe(withoutMembers.body.meta.version);
  });

  test('user PATCH answers 200 with the user', async () => {
    const patched = await people.scim.patch(`/Users/${ids.olivia}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'Tester' }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: ids.olivia, title: 'Tester' });
  });

  test('in Bulk: status 204 with the version and the location', async () => {
    const group = await people.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Bulk 204',
      members: [],
    });
    const response = await people.scim.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'PATCH', path: `/Groups/${group.body.id}`, data: addMember(ids.peter!) }],
    });
    expect(response.status).toBe(200);
    const after = await people.scim.get(`/Groups/${group.body.id}`);
    expect(response.body.Operations).toEqual([
      {
        method: 'PATCH',
        status: '204',
        version: after.body.meta.version,
        location: after.body.meta.location,
      },
    ]);
  });
});
