import {
  type Filter,
  type GroupAttributes,
  type GroupProperties,
  type PatchOperation,
  SCHEMA,
} from '@roster/contracts';
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
 * among the ids the command names, those of them that are members already, and the group holding
 * the displayName the command ends with.
 */
const context = ({
  history = [],
  known = [],
  held = [],
  sameDisplayName = [],
}: {
  history?: GroupEvent[];
  known?: string[];
  held?: string[];
  sameDisplayName?: GroupEvent[];
}): GroupContext => ({
  now: NOW,
  target: spec.stateAfter(history),
  knownUserIds: new Set(known),
  heldIds: new Set(held),
  sameDisplayName: spec.stateAfter(sameDisplayName),
});

const created = (
  attributes: GroupProperties,
  memberIds: string[] = [],
  at = EARLIER,
  id = 'g-1',
): GroupEvent => ({ type: 'GroupCreated', id, tenant: TENANT, attributes, memberIds, at });

const membersOp = (op: 'add' | 'remove' | 'replace', value?: unknown): PatchOperation => ({
  op,
  path: { schema: SCHEMA.group, attribute: 'members' },
  ...(value ? { value } : {}),
});
const patch = (...operations: PatchOperation[]) =>
  command('roster.command.group.patch.v1', 'g-1', { operations });
const values = (ids: string[]) => ids.map((value) => ({ value }));

/** Entra's removal by value list, as the ingress normalizes it: `members[value eq "a" or …]`. */
const removal = (...ids: string[]): PatchOperation => {
  const comparisons = ids.map(
    (value): Filter => ({
      kind: 'compare',
      path: { schema: SCHEMA.group, attribute: 'members', subAttribute: 'value' },
      op: 'eq',
      value,
    }),
  );
  const valueFilter = comparisons.reduce((left, right): Filter => ({ kind: 'or', left, right }));
  return { op: 'remove', path: { schema: SCHEMA.group, attribute: 'members', valueFilter } };
};

describe('group create', () => {
  test('a group of known users is created with each member once, in first-seen order', () => {
    spec
      .given(context({ known: ['u-1', 'u-2'] }))
      .when(command('roster.command.group.create.v1', 'g-1', { group: group('Sales', 'u-2', 'u-1', 'u-2') }))
      .thenEvents([created({ displayName: 'Sales' }, ['u-2', 'u-1'], NOW)], { groupId: 'g-1', status: 201 });
  });

  test('the created group starts at version 1 and counts its members', () => {
    spec
      .given(context({ known: ['u-1'] }))
      .when(command('roster.command.group.create.v1', 'g-1', { group: group('Sales', 'u-1') }))
      .thenState({
        id: 'g-1',
        version: 1,
        created: NOW,
        attributes: { displayName: 'Sales' },
        memberCount: 1,
      });
  });

  test('members that are not users of the tenant refuse the whole create', () => {
    spec
      .given(context({ known: ['u-1'] }))
      .when(command('roster.command.group.create.v1', 'g-1', { group: group('Sales', 'u-1', 'ghost') }))
      .thenRefused({
        httpStatus: 400,
        scimType: 'invalidValue',
        detail: 'members reference unknown users: ghost',
      });
  });
});

describe('group create of a displayName already taken', () => {
  const sales = [created({ displayName: 'Sales', externalId: 'okta-9' }, ['u-1', 'u-2'], EARLIER, 'g-old')];
  const create = (attributes: GroupAttributes) =>
    command('roster.command.group.create.v1', 'g-new', { group: attributes });

  test('an identical repeat (an IdP retrying after a 503) answers with the existing group and changes nothing', () => {
    spec
      .given(context({ known: ['u-1', 'u-2'], held: ['u-1', 'u-2'], sameDisplayName: sales }))
      .when(create({ ...group('Sales', 'u-2', 'u-1', 'u-2'), externalId: 'okta-9' }))
      .thenEvents([], { groupId: 'g-old', status: 201 });
  });

  test('without externalId on either side, the same members make a repeat', () => {
    spec
      .given(
        context({
          known: ['u-1'],
          held: ['u-1'],
          sameDisplayName: [created({ displayName: 'Sales' }, ['u-1'])],
        }),
      )
      .when(create(group('Sales', 'u-1')))
      .thenEvents([], { groupId: 'g-1', status: 201 });
  });

  test('fewer members than the group has, or others, are a uniqueness conflict', () => {
    spec
      .given(context({ known: ['u-1'], held: ['u-1'], sameDisplayName: sales }))
      .when(create({ ...group('Sales', 'u-1'), externalId: 'okta-9' }))
      .thenRefused({
        httpStatus: 409,
        scimType: 'uniqueness',
        detail: 'displayName "Sales" is already taken',
      });
    spec
      .given(context({ known: ['u-1', 'u-3'], held: ['u-1'], sameDisplayName: sales }))
      .when(create({ ...group('Sales', 'u-1', 'u-3'), externalId: 'okta-9' }))
      .thenRefused({ httpStatus: 409, scimType: 'uniqueness' });
  });

  test('another externalId, or one where the existing group has none, is a uniqueness conflict', () => {
    const given = context({ known: ['u-1', 'u-2'], held: ['u-1', 'u-2'], sameDisplayName: sales });
    spec
      .given(given)
      .when(create({ ...group('Sales', 'u-1', 'u-2'), externalId: 'okta-10' }))
      .thenRefused({ httpStatus: 409, scimType: 'uniqueness' });
    spec
      .given(given)
      .when(create(group('Sales', 'u-1', 'u-2')))
      .thenRefused({ httpStatus: 409, scimType: 'uniqueness' });
  });
});

describe('group changes travel as member deltas', () => {
  const sales = [created({ displayName: 'Sales' }, ['u-1'])];

  test('adding a member is one change naming the added member', () => {
    spec
      .given(context({ history: sales, known: ['u-2'] }))
      .when(patch(membersOp('add', values(['u-2']))))
      .thenEvents(
        [
          {
            type: 'GroupChanged',
            attributes: { displayName: 'Sales' },
            members: { kind: 'delta', added: ['u-2'], removed: [] },
            memberCount: 2,
            at: NOW,
          },
        ],
        { groupId: 'g-1', status: 200 },
      );
  });

  test('removing members names only those that were members', () => {
    spec
      .given(context({ history: sales, held: ['u-1'] }))
      .when(patch(removal('u-1', 'u-9')))
      .thenEvents([
        {
          type: 'GroupChanged',
          attributes: { displayName: 'Sales' },
          members: { kind: 'delta', added: [], removed: ['u-1'] },
          memberCount: 0,
          at: NOW,
        },
      ]);
  });

  test('a PUT replaces the members: its list is all the group has after it', () => {
    spec
      .given(context({ history: sales, known: ['u-2'], held: [] }))
      .when(command('roster.command.group.replace.v1', 'g-1', { group: group('Sales', 'u-2') }))
      .thenEvents([
        {
          type: 'GroupChanged',
          attributes: { displayName: 'Sales' },
          members: { kind: 'replaced', memberIds: ['u-2'] },
          memberCount: 1,
          at: NOW,
        },
      ]);
  });

  test('members already in the group are not checked again (a user deleted since stays until removed)', () => {
    spec
      .given(context({ history: sales, held: ['u-1'] }))
      .when(command('roster.command.group.replace.v1', 'g-1', { group: group('Sales team', 'u-1') }))
      .thenState({
        version: 2,
        lastModified: NOW,
        attributes: { displayName: 'Sales team' },
        memberCount: 1,
      });
  });

  test('a change that changes nothing has no events and answers 200', () => {
    spec
      .given(context({ history: sales, known: ['u-1'], held: ['u-1'] }))
      .when(patch(membersOp('add', values(['u-1']))))
      .thenEvents([], { status: 200 });
    spec
      .given(context({ history: sales, held: ['u-1'] }))
      .when(command('roster.command.group.replace.v1', 'g-1', { group: group('Sales', 'u-1') }))
      .thenEvents([], { status: 200 });
  });

  test('removing every member replaces them with none', () => {
    spec
      .given(context({ history: sales }))
      .when(patch(membersOp('remove')))
      .thenEvents([
        {
          type: 'GroupChanged',
          attributes: { displayName: 'Sales' },
          members: { kind: 'replaced', memberIds: [] },
          memberCount: 0,
          at: NOW,
        },
      ]);
  });

  test('renaming onto the displayName of another group is a uniqueness conflict', () => {
    const marketing = [created({ displayName: 'Marketing' }, [], EARLIER, 'g-2')];
    spec
      .given(context({ history: sales, held: ['u-1'], sameDisplayName: marketing }))
      .when(command('roster.command.group.replace.v1', 'g-1', { group: group('Marketing', 'u-1') }))
      .thenRefused({
        httpStatus: 409,
        scimType: 'uniqueness',
        detail: 'displayName "Marketing" is already taken',
      });
    spec
      .given(context({ history: sales, sameDisplayName: marketing }))
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
      .given(context({ history: sales, known: ['u-2'], sameDisplayName: sales }))
      .when(patch(membersOp('add', values(['u-2']))))
      .thenState({ version: 2, attributes: { displayName: 'Sales' }, memberCount: 2 });
  });

  test('a member path the members cannot take is refused with its SCIM error', () => {
    spec
      .given(context({ history: sales }))
      .when(
        command('roster.command.group.patch.v1', 'g-1', {
          operations: [
            {
              op: 'replace',
              path: { schema: SCHEMA.group, attribute: 'members', subAttribute: 'display' },
              value: 'x',
            },
          ],
        }),
      )
      .thenRefused({ httpStatus: 400, scimType: 'mutability' });
  });

  test('a stale If-Match is a 412 naming the current version', () => {
    spec
      .given(context({ history: sales }))
      .when(
        command('roster.command.group.patch.v1', 'g-1', {
          operations: [membersOp('remove')],
          ifMatch: 'W/"7"',
        }),
      )
      .thenRefused({ httpStatus: 412, detail: 'If-Match does not match the current version W/"1"' });
  });

  test('a group that does not exist is a 404', () => {
    spec
      .given(context({}))
      .when(command('roster.command.group.delete.v1', 'g-1'))
      .thenRefused({ httpStatus: 404, detail: 'Group g-1 not found' });
  });

  test('deleting a group leaves no state', () => {
    spec
      .given(context({ history: sales }))
      .when(command('roster.command.group.delete.v1', 'g-1'))
      .thenState(undefined);
  });
});

describe('large groups: the decision only sees what the command names', () => {
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `u-${from + i}`);
  const big = (count: number) => [created({ displayName: 'Everyone' }, ids(0, count))];
  const addMembers = (memberIds: string[]) => patch(membersOp('add', values(memberIds)));

  test('adding 1,000 members to a group 1,000 short of the limit reaches the limit', () => {
    const almostFull = LIMITS.maxGroupMembers - 1_000;
    const decision = groupDecider.decide(
      addMembers(ids(almostFull, 1_000)),
      context({ history: big(almostFull), known: ids(almostFull, 1_000) }),
    );
    expect(decision).toMatchObject({ accepted: true, status: 200 });
    expect(decision.accepted && decision.events[0]).toMatchObject({
      members: { kind: 'delta', added: ids(almostFull, 1_000), removed: [] },
      memberCount: LIMITS.maxGroupMembers,
    });
  });

  test('one unknown among thousands refuses the change and names a few, not all', () => {
    const added = [...ids(5_000, 998), 'ghost-1', 'ghost-2'];
    const decision = groupDecider.decide(
      addMembers(added),
      context({ history: big(5_000), known: ids(5_000, 998) }),
    );
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
      context({ history: big(LIMITS.maxGroupMembers), known: ['u-new'] }),
    );
    expect(decision).toMatchObject({ accepted: false, error: { httpStatus: 400, scimType: 'invalidValue' } });
  });
});
