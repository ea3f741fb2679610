import type { Filter } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { elementMatches, evaluateFilter } from '../../src/filter/evaluate.ts';
import { cmp, E, G, ref, U } from '../helpers.ts';

const USER = {
  id: 'u1',
  meta: { created: '2024-01-01T00:00:00.000Z', lastModified: '2024-02-01T00:00:00.000Z' },
  userName: 'BJensen',
  externalId: 'Ext-1',
  active: true,
  title: '',
  name: { givenName: 'Barbara' },
  emails: [
    { value: 'b@work.com', type: 'work', primary: true },
    { value: 'b@home.org', type: 'home' },
  ],
  enterprise: { department: 'R&D' },
};

const matches = (filter: Filter) => evaluateFilter(filter, USER, 'User');

describe('evaluateFilter', () => {
  test.each<[Filter, boolean]>([
    [cmp(ref('userName'), 'eq', 'bjensen'), true],
    [cmp(ref('userName'), 'sw', 'BJ'), true],
    [cmp(ref('userName'), 'gt', 'a'), true],
    [cmp(ref('externalId'), 'eq', 'ext-1'), false],
    [cmp(ref('externalId'), 'eq', 'Ext-1'), true],
    [cmp(ref('id'), 'eq', 'u1'), true],
    [cmp(ref('id'), 'eq', 'U1'), false],
    [cmp(ref('active'), 'eq', true), true],
    [cmp(ref('active'), 'ne', true), false],
    [cmp(ref('title'), 'ne', 'x'), true],
    [cmp(ref('nickName'), 'ne', 'x'), true],
    [{ kind: 'present', path: ref('title') }, false],
    [{ kind: 'present', path: ref('name') }, true],
    [{ kind: 'present', path: ref('emails') }, true],
    [{ kind: 'present', path: ref('phoneNumbers') }, false],
    [cmp(ref('emails.value'), 'ew', '.ORG'), true],
    [cmp(ref('emails.type'), 'eq', 'other'), false],
    [cmp(ref('department', E), 'co', 'r&'), true],
    [cmp(ref('meta.created'), 'lt', '2024-01-01T00:00:01.000Z'), true],
    [cmp(ref('meta.lastModified'), 'ge', '2024-03-01T00:00:00.000Z'), false],
    [{ kind: 'not', filter: cmp(ref('active'), 'eq', true) }, false],
    [{ kind: 'or', left: cmp(ref('active'), 'eq', false), right: cmp(ref('userName'), 'ew', 'sen') }, true],
    [{ kind: 'and', left: cmp(ref('active'), 'eq', true), right: cmp(ref('userName'), 'ew', 'x') }, false],
    [
      {
        kind: 'valuePath',
        path: ref('emails'),
        filter: {
          kind: 'and',
          left: cmp(ref('emails.type'), 'eq', 'home'),
          right: cmp(ref('emails.primary'), 'eq', true),
        },
      },
      false,
    ],
    [
      {
        kind: 'valuePath',
        path: ref('emails'),
        filter: {
          kind: 'and',
          left: cmp(ref('emails.type'), 'eq', 'WORK'),
          right: cmp(ref('emails.primary'), 'eq', true),
        },
      },
      true,
    ],
    [{ kind: 'valuePath', path: ref('name'), filter: cmp(ref('name.givenName'), 'eq', 'barbara') }, true],
  ])('%j → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  test('unknown or unstored attributes → invalidFilter', () => {
    expect(() => matches(cmp(ref('nope'), 'eq', 'x'))).toThrowError(
      expect.objectContaining({ scimType: 'invalidFilter' }),
    );
    expect(() => matches(cmp(ref('meta.version'), 'eq', 'x'))).toThrowError(
      expect.objectContaining({ scimType: 'invalidFilter' }),
    );
  });

  test('elementMatches evaluates a PATCH value filter against one element; member ids are case-exact', () => {
    const filter = cmp(ref('members.value', G), 'eq', 'u1');
    expect(elementMatches(filter, { value: 'u1' }, ref('members', G), 'Group')).toBe(true);
    expect(elementMatches(filter, { value: 'U1' }, ref('members', G), 'Group')).toBe(false);
    expect(() => elementMatches(cmp(ref('userName'), 'eq', 'x'), {}, ref('emails', U), 'User')).toThrowError(
      expect.objectContaining({ scimType: 'invalidFilter' }),
    );
  });
});
