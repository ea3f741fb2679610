import { type GroupAttributes, SCHEMA } from '@roster/contracts';
import { LIMITS } from '@roster/scim';
import { deciderSpec } from '@roster/service-kit/testing';
import { describe, expect, test } from 'vitest';
import { type GroupContext, groupDecider } from '../../src/domain/groups/decide.ts';
import type { GroupEvent } from '../../src/domain/groups/state.ts';
import { command, NOW, TENANT } from './commands.ts';

const spec = deciderSpec(groupDecider);
const EARLIER = '2026-01-01T00:00:00.000Z';

const group = (displayName: string, ...memberIds: string[]): GroupAttributes => ({
  displayName,
  members: memberIds.map((value) => ({ value })),
});

/**
 * The directory around a command: the addressed group (built from its history), the known users
 * and the group holding the displayName the command ends with.
 */
const context = (
  history: GroupEvent[],
  knownUserIds: string[] = [],
  sameDisplayName: GroupEvent[] = [],
): GroupContext => ({
  now: NOW,
  target: spec.stateAfter(history),
  knownUserIds: new Set(knownUserIds),
  sameDisplayName: spec.stateAfter(sameDisplayName),
});

const created = (attributes: GroupAttributes): GroupEvent => ({
  type: 'GroupCreated',
  id: 'g-1',
  tenant: TENANT,
  attributes,
  at: EARLIER,
});

const members = (op: 'add' | 'remove' | 'replace', value?: unknown) => ({
  operations: [{ op, path: { schema: SCHEMA.group, attribute: 'members' }, ...(value ? { value } : {}) }],
});

describe('group create', () => {
  test('a group of known users is created once each member, in first-seen order', () => {
    spec
      .given(context([], ['u-1', 'u-2']))
      .when(command('roster.command.group.create.v1', 'g-1', { group: group('Sales', 'u-2', 'u-1', 'u-2') }))
      .thenEvents(
        [created(group('Sales', 'u-2', 'u-1'))].map((e) => ({ ...e, at: NOW })),
        {
          groupId: 'g-1',
          status: 201,
        },
      );
  });

  test('the created group starts at version 1', () => {
    spec
      .given(context([], ['u-1']))
      .when(command('roster.command.group.create.v1', 'g-1', { group: group('Sales', 'u-1') }))
      .thenState({ id: 'g-1', version: 1, created: NOW, attributes: group('Sales', 'u-1') });
  });

  test('members that are not users of the tenant refuse the whole create', () => {
    spec
      .given(context([], ['u-1']))
      .when(command('roster.command.group.create.v1', 'g-1', { group: group('Sales', 'u-1', 'ghost') }))
      .thenRefused({
        httpStatus: 400,
        scimType: 'invalidValue',
        detail: 'members reference unknown users: ghost',
      });
  });
});

describe('group create of a displayName already taken', () => {
  const sales = [{ ...created({ ...group('Sales', 'u-1', 'u-2'), externalId: 'okta-9' }), id: 'g-old' }];
  const create = (attributes: GroupAttributes) =>
    command('roster.command.group.create.v1', 'g-new', { group: attributes });

  test('an identical repeat (an IdP retrying after a 503) answers with the existing group and changes nothing', () => {
    // finding 4: the repeat created a second group of the same name, linked to the same workspace
    spec
      .given(context([], ['u-1', 'u-2'], sales))
      .when(create({ ...group('Sales', 'u-2', 'u-1', 'u-2'), externalId: 'okta-9' }))
      .thenEvents([], { groupId: 'g-old', status: 201 });
  });

  test('without externalId on either side, the same members make a repeat', () => {
    spec
      .given(context([], ['u-1'], [created(group('Sales', 'u-1'))]))
      .when(create(group('Sales', 'u-1')))
      .thenEvents([], { groupId: 'g-1', status: 201 });
  });

  test('other members are a uniqueness conflict', () => {
    spec
      .given(context([], ['u-1'], sales))
      .when(create({ ...group('Sales', 'u-1'), externalId: 'okta-9' }))
      .thenRefused({
        httpStatus: 409,
        scimType: 'uniqueness',
        detail: 'displayName "Sales" is already taken',
      });
  });

  test('another externalId, or one where the existing group has none, is a uniqueness conflict', () => {
    spec
      .given(context([], ['u-1', 'u-2'], sales))
      .when(create({ ...group('Sales', 'u-1', 'u-2'), externalId: 'okta-10' }))
      .thenRefused({ httpStatus: 409, scimType: 'uniqueness' });
    spec
      .given(context([], ['u-1', 'u-2'], sales))
      .when(create(group('Sales', 'u-1', 'u-2')))
      .thenRefused({ httpStatus: 409, scimType: 'uniqueness' });
  });
});

describe('group changes', () => {
  const sales = [created(group('Sales', 'u-1'))];

  test('adding a member is one change naming the added member', () => {
    spec
      .given(context(sales, ['u-2']))
      .when(command('roster.command.group.patch.v1', 'g-1', members('add', [{ value: 'u-2' }])))
      .thenEvents(
        [
          {
            type: 'GroupChanged',
            attributes: group('Sales', 'u-1', 'u-2'),
            membersAdded: ['u-2'],
            membersRemoved: [],
            at: NOW,
          },
        ],
        { groupId: 'g-1', status: 200 },
      );
  });

  test('members already in the group are not checked again (a user deleted since stays until removed)', () => {
    spec
      .given(context(sales, []))
      .when(command('roster.command.group.replace.v1', 'g-1', { group: group('Sales team', 'u-1') }))
      .thenState({ version: 2, lastModified: NOW, attributes: group('Sales team', 'u-1') });
  });

  test('a change that changes nothing has no events and answers 200', () => {
    spec
      .given(context(sales, ['u-1']))
      .when(command('roster.command.group.patch.v1', 'g-1', members('add', [{ value: 'u-1' }])))
      .thenEvents([], { status: 200 });
  });

  test('removing every member', () => {
    spec
      .given(context(sales))
      .when(command('roster.command.group.patch.v1', 'g-1', members('remove')))
      .thenState({ version: 2, attributes: group('Sales') });
  });

  test('renaming onto the displayName of another group is a uniqueness conflict', () => {
    const marketing = [{ ...created(group('Marketing')), id: 'g-2' }];
    spec
      .given(context(sales, [], marketing))
      .when(command('roster.command.group.replace.v1', 'g-1', { group: group('Marketing', 'u-1') }))
      .thenRefused({
        httpStatus: 409,
        scimType: 'uniqueness',
        detail: 'displayName "Marketing" is already taken',
      });
    spec
      .given(context(sales, [], marketing))
      .when(
        command('roster.command.group.patch.v1', 'g-1', {
          operations: [
            { op: 'replace', path: { schema: SCHEMA.group, attribute: 'displayName' }, value: 'Marketing' },
          ],
        }),
      )
      .thenRefused({ httpStatus: 409, scimType: 'uniqueness' });
  });

  test('a group keeping its own displayName is no conflict with itself', () => {
    spec
      .given(context(sales, ['u-2'], sales))
      .when(command('roster.command.group.patch.v1', 'g-1', members('add', [{ value: 'u-2' }])))
      .thenState({ version: 2, attributes: group('Sales', 'u-1', 'u-2') });
  });

  test('a stale If-Match is a 412 naming the current version', () => {
    spec
      .given(context(sales, ['u-2']))
      .when(command('roster.command.group.patch.v1', 'g-1', { ...members('remove'), ifMatch: 'W/"7"' }))
      .thenRefused({ httpStatus: 412, detail: 'If-Match does not match the current version W/"1"' });
  });

  test('a group that does not exist is a 404', () => {
    spec
      .given(context([]))
      .when(command('roster.command.group.delete.v1', 'g-1'))
      .thenRefused({ httpStatus: 404, detail: 'Group g-1 not found' });
  });

  test('deleting a group leaves no state', () => {
    spec.given(context(sales)).when(command('roster.command.group.delete.v1', 'g-1')).thenState(undefined);
  });
});

describe('large groups', () => {
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `u-${from + i}`);
  const big = (count: number) => [created(group('Everyone', ...ids(0, count)))];
  const addMembers = (memberIds: string[]) =>
    command(
      'roster.command.group.patch.v1',
      'g-1',
      members(
        'add',
        memberIds.map((value) => ({ value })),
      ),
    );

  test('adding 1,000 members to a group one PATCH short of the limit checks only the added ones', () => {
    const almostFull = LIMITS.maxGroupMembers - 1_000;
    const decision = groupDecider.decide(
      addMembers(ids(almostFull, 1_000)),
      context(big(almostFull), ids(almostFull, 1_000)),
    );
    expect(decision).toMatchObject({ accepted: true, status: 200 });
    expect(decision.accepted && decision.events[0]).toMatchObject({ membersAdded: ids(almostFull, 1_000) });
  });

  test('one unknown among thousands refuses the change and names a few, not all', () => {
    const added = [...ids(5_000, 998), 'ghost-1', 'ghost-2'];
    const decision = groupDecider.decide(addMembers(added), context(big(5_000), ids(5_000, 998)));
    expect(decision).toMatchObject({
      accepted: false,
      error: {
        httpStatus: 400,
        scimType: 'invalidValue',
        detail: 'members reference unknown users: ghost-1, ghost-2',
      },
    });
  });

  test('a group cannot grow past maxGroupMembers', () => {
    const decision = groupDecider.decide(
      addMembers(['u-new']),
      context(big(LIMITS.maxGroupMembers), ['u-new']),
    );
    expect(decision).toMatchObject({ accepted: false, error: { httpStatus: 400, scimType: 'invalidValue' } });
  });
});
