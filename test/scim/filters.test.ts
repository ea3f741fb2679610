import { describe, expect, test } from 'vitest';
import { ENTERPRISE, newUser, PATCH_OP } from '../src/fixtures.ts';
import { withPeople } from '../src/suite.ts';

/** Four users whose attributes make every operator and combination distinguishable. */
const PEOPLE = {
  ada: newUser('ada@example.com', {
    externalId: 'ext-ada',
    title: 'Engineer',
    emails: [
      { value: 'ada@work.example', type: 'work', primary: true },
      { value: 'ada@home.example', type: 'home' },
    ],
    [ENTERPRISE]: { department: 'R&D', costCenter: '100' },
  }),
  grace: newUser('Grace@Example.com', {
    externalId: 'ext-grace',
    title: 'Admiral',
    emails: [{ value: 'grace@navy.example', type: 'work' }],
    [ENTERPRISE]: { department: 'Navy' },
  }),
  linus: newUser('linus@example.org', {
    title: 'engineer',
    emails: [{ value: 'linus@home.example', type: 'home' }],
  }),
  edsger: newUser('edsger@example.org', { active: false }),
} as const;

const people = withPeople(PEOPLE);
const { ids, matching } = people;

describe('filter grammar over HTTP', () => {
  test.each([
    ['userName eq "ada@example.com"', ['ada']],
    ['USERNAME EQ "grace@example.COM"', ['grace']],
    ['userName ne "ada@example.com"', ['edsger', 'grace', 'linus']],
    ['userName co "EXAMPLE.org"', ['edsger', 'linus']],
    ['userName sw "gr"', ['grace']],
    ['userName ew ".com"', ['ada', 'grace']],
    ['title pr', ['ada', 'grace', 'linus']],
    ['title eq "engineer"', ['ada', 'linus']],
    ['externalId eq "ext-ada"', ['ada']],
    ['externalId eq "EXT-ADA"', []],
    ['active eq false', ['edsger']],
    ['meta.created gt "2000-01-01T00:00:00Z"', ['ada', 'edsger', 'grace', 'linus']],
    ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
    ['emails.value ew "home.example"', ['ada', 'linus']],
    ['emails[type eq "work" and value co "navy"]', ['grace']],
    ['emails[type eq "home"] and title eq "Engineer"', ['ada', 'linus']],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Navy"', ['grace']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ed"', ['edsger']],
    ['title eq "Admiral" or title eq "Engineer" and userName sw "linus"', ['grace', 'linus']],
    ['(title eq "Admiral" or title eq "Engineer") and userName sw "linus"', ['linus']],
    ['not (userName co "example.org") and active eq true', ['ada', 'grace']],
    ['userName eq "{\\"$gt\\":\\"\\"}"', []],
    ['userName co ".*"', []],
  ])('%s', async (filter, expected) => {
    expect(await matching(filter)).toEqual(expected);
  });

  test.each([
    'userName eq',
    'userName like "a"',
    '$where eq "1"',
    'resource.$ne eq "x"',
    'userName eq "a" and',
    '(userName eq "a"',
    'active gt true',
    'emails[type eq "work"',
    'nosuchattribute eq "x"',
  ])('"%s" is 400 invalidFilter', async (filter) => {
    const response = await people.scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  test('sortBy and sortOrder order the whole result', async () => {
    const response = await people.scim.get(`/Users?sortBy=userName&sortOrder=descending`);
    expect(response.body.Resources.map((r: { userName: string }) => r.userName.toLowerCase())).toEqual([
      'linus@example.org',
      'grace@example.com',
      'edsger@example.org',
      'ada@example.com',
    ]);
  });
});

describe('PATCH forms', () => {
  const patch = (id: string, ...Operations: object[]) =>
    people.scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations });

  test('add without path merges attributes; add to a multi-valued attribute appends', async () => {
    const id = ids.linus!;
    const added = await patch(id, {
      op: 'add',
      value: { nickName: 'Lin', emails: [{ value: 'linus@work.example', type: 'work' }] },
    });
    expect(added.status).toBe(200);
    expect(added.body.nickName).toBe('Lin');
    expect(added.body.emails.map((e: { value: string }) => e.value)).toEqual([
      'linus@home.example',
      'linus@work.example',
    ]);
  });

  test('a value-filtered sub-attribute path replaces only the matching element', async () => {
    const response = await patch(ids.ada!, {
      op: 'replace',
      path: 'emails[type eq "home"].value',
      value: 'ada@new-home.example',
    });
    expect(response.body.emails).toEqual([
      { value: 'ada@work.example', type: 'work', primary: true },
      { value: 'ada@new-home.example', type: 'home' },
    ]);
  });

  test('remove with a path and with a value filter', async () => {
    const removed = await patch(
      ids.ada!,
      { op: 'remove', path: 'title' },
      { op: 'remove', path: 'emails[type eq "home"]' },
    );
    expect(removed.status).toBe(200);
    expect(removed.body.title).toBeUndefined();
    expect(removed.body.emails).toEqual([{ value: 'ada@work.example', type: 'work', primary: true }]);
  });

  test('errors name the problem: invalid path, read-only attribute, remove without path', async () => {
    const invalidPath = await patch(ids.grace!, { op: 'replace', path: 'emails[type eq', value: 'x' });
    expect(invalidPath.body.scimType).toBe('invalidPath');
    const readOnly = await patch(ids.grace!, { op: 'replace', path: 'id', value: 'x' });
    expect(readOnly.body.scimType).toBe('mutability');
    const noTarget = await patch(ids.grace!, { op: 'remove' });
    expect(noTarget.body.scimType).toBe('noTarget');
  });
});
