import { SCHEMA, type UserAttributes } from '@roster/contracts';
import { LIMITS } from '@roster/scim';
import { decidedState } from '@roster/service-kit';
import { deciderSpec } from '@roster/service-kit/testing';
import { describe, expect, test } from 'vitest';
import { type UserCommand, type UserContext, userDecider } from '../../src/domain/users/decide.ts';
import type { UserState } from '../../src/domain/users/state.ts';
import { command, NOW } from './commands.ts';

const attributes = (userName: string, extra: Partial<UserAttributes> = {}): UserAttributes => ({
  userName,
  active: true,
  ...extra,
});

const existing = (id: string, attrs: UserAttributes, overrides: Partial<UserState> = {}): UserState => ({
  id,
  tenant: 'org-1',
  attributes: attrs,
  scimDeleted: false,
  version: 3,
  created: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const context = (overrides: Partial<UserContext> = {}): UserContext => ({
  now: NOW,
  target: undefined,
  sameUserName: undefined,
  ...overrides,
});

const spec = deciderSpec(userDecider);

/** Runs decide then folds the events onto the state the decision names, as the shell does. */
const run = (cmd: UserCommand, ctx: UserContext) => {
  const decision = userDecider.decide(cmd, ctx);
  return { decision, state: decision.accepted ? decidedState(userDecider, decision) : undefined };
};

describe('user create', () => {
  test('a new userName provisions a new user at the allocated id', () => {
    const { decision, state } = run(
      command('roster.command.user.create.v1', 'new-id', { user: attributes('ada@x.com') }),
      context(),
    );
    expect(decision).toMatchObject({ accepted: true, userId: 'new-id', status: 201 });
    expect(state).toMatchObject({
      id: 'new-id',
      tenant: 'org-1',
      version: 1,
      scimDeleted: false,
      created: NOW,
    });
  });

  test('re-provisioning a deactivated account reactivates the same id with the new attributes', () => {
    const dormant = existing('old-id', attributes('ada@x.com', { active: false, title: 'Old' }));
    const { decision, state } = run(
      command('roster.command.user.create.v1', 'new-id', { user: attributes('ADA@x.com', { title: 'New' }) }),
      context({ sameUserName: dormant }),
    );
    expect(decision).toMatchObject({ accepted: true, userId: 'old-id', status: 201 });
    if (!decision.accepted) throw new Error('unreachable');
    expect(decision.events.map((e) => e.type)).toEqual(['UserAttributesChanged', 'UserReactivated']);
    expect(state).toMatchObject({ id: 'old-id', attributes: { title: 'New', active: true }, version: 5 });
  });

  test('re-provisioning a SCIM-deleted account by userName brings the resource back', () => {
    const deleted = existing('old-id', attributes('ada@x.com', { active: false }), { scimDeleted: true });
    spec
      .given(context({ sameUserName: deleted }))
      .when(command('roster.command.user.create.v1', 'new-id', { user: attributes('ada@x.com') }))
      .thenState({ id: 'old-id', scimDeleted: false, attributes: { userName: 'ada@x.com', active: true } });
  });

  test('the returning person takes the externalId of the POST: the userName decides, not the externalId', () => {
    const dormant = existing('old-id', attributes('ada@x.com', { active: false, externalId: 'okta-1' }));
    spec
      .given(context({ sameUserName: dormant }))
      .when(
        command('roster.command.user.create.v1', 'new-id', {
          user: attributes('ada@x.com', { externalId: 'entra-7' }),
        }),
      )
      .thenState({
        id: 'old-id',
        attributes: { userName: 'ada@x.com', externalId: 'entra-7', active: true },
      });
  });

  test('a userName nobody holds is a new person, whoever else has the same externalId', () => {
    // finding 1: second@ with the externalId of a deactivated first@ took over first@'s account
    spec
      .given(context())
      .when(
        command('roster.command.user.create.v1', 'new-id', {
          user: attributes('second@x.com', { externalId: 'mail-nickname' }),
        }),
      )
      .thenEvents(
        [
          {
            type: 'UserProvisioned',
            id: 'new-id',
            tenant: 'org-1',
            attributes: attributes('second@x.com', { externalId: 'mail-nickname' }),
            at: NOW,
          },
        ],
        { userId: 'new-id', status: 201 },
      );
  });

  test('an active holder of the userName with another externalId is a uniqueness conflict', () => {
    const current = existing('id-1', attributes('ada@x.com', { externalId: 'okta-1' }));
    spec
      .given(context({ sameUserName: current }))
      .when(
        command('roster.command.user.create.v1', 'new-id', {
          user: attributes('ada@x.com', { externalId: 'okta-2' }),
        }),
      )
      .thenRefused({
        httpStatus: 409,
        scimType: 'uniqueness',
        detail: 'userName "ada@x.com" is already taken',
      });
  });

  test('an identical repeat of a create (IdP retry) answers with the existing user and changes nothing', () => {
    const current = existing('id-1', attributes('ada@x.com'));
    const decision = userDecider.decide(
      command('roster.command.user.create.v1', 'new-id', { user: attributes('ada@x.com') }),
      context({ sameUserName: current }),
    );
    expect(decision).toEqual({ accepted: true, state: current, userId: 'id-1', events: [], status: 201 });
  });

  test('repeating an unchanged create after a step said no (e.g. no seat) asks the steps to retry', () => {
    const refused = existing('id-1', attributes('ada@x.com'), { needsResync: true });
    const { decision, state } = run(
      command('roster.command.user.create.v1', 'new-id', { user: attributes('ada@x.com') }),
      context({ sameUserName: refused }),
    );
    expect(decision).toMatchObject({
      accepted: true,
      userId: 'id-1',
      events: [{ type: 'UserResyncRequested' }],
    });
    expect(state).toMatchObject({ version: refused.version + 1, needsResync: false });
  });

  test('an active user with a different profile holding the userName is a uniqueness conflict', () => {
    const current = existing('id-1', attributes('ada@x.com', { title: 'CEO' }));
    const decision = userDecider.decide(
      command('roster.command.user.create.v1', 'new-id', { user: attributes('ada@x.com') }),
      context({ sameUserName: current }),
    );
    expect(decision.accepted).toBe(false);
    if (decision.accepted) throw new Error('unreachable');
    expect(decision.error).toMatchObject({ httpStatus: 409, scimType: 'uniqueness' });
  });
});

describe('changes to an existing user', () => {
  const current = existing('id-1', attributes('ada@x.com', { title: 'Engineer' }));

  test('replace with a stale If-Match is a 412', () => {
    const decision = userDecider.decide(
      command('roster.command.user.replace.v1', 'id-1', { user: attributes('ada@x.com'), ifMatch: 'W/"2"' }),
      context({ target: current }),
    );
    expect(decision).toMatchObject({ accepted: false, error: { httpStatus: 412 } });
  });

  test('replace with the current ETag applies; changed attributes are named', () => {
    const decision = userDecider.decide(
      command('roster.command.user.replace.v1', 'id-1', {
        user: attributes('ada@x.com', { title: 'CTO' }),
        ifMatch: 'W/"3"',
      }),
      context({ target: current }),
    );
    expect(decision).toMatchObject({
      accepted: true,
      status: 200,
      events: [{ type: 'UserAttributesChanged', changed: ['title'] }],
    });
  });

  test('a PATCH that renames onto a taken userName is a uniqueness conflict', () => {
    const other = existing('id-2', attributes('grace@x.com'));
    const decision = userDecider.decide(
      command('roster.command.user.patch.v1', 'id-1', {
        operations: [
          { op: 'replace', path: { schema: SCHEMA.user, attribute: 'userName' }, value: 'grace@x.com' },
        ],
      }),
      context({ target: current, sameUserName: other }),
    );
    expect(decision).toMatchObject({ accepted: false, error: { httpStatus: 409, scimType: 'uniqueness' } });
  });

  test('externalId is no key: a replacement may carry the externalId another user has', () => {
    // finding 2: two users sharing one externalId were refused 409 uniqueness
    spec
      .given(context({ target: current, sameUserName: current }))
      .when(
        command('roster.command.user.replace.v1', 'id-1', {
          user: attributes('ada@x.com', { title: 'Engineer', externalId: 'shared-by-grace' }),
        }),
      )
      .thenState({
        id: 'id-1',
        version: 4,
        attributes: attributes('ada@x.com', { title: 'Engineer', externalId: 'shared-by-grace' }),
      });
  });

  test('PATCHes that would grow the user past the size limit are refused; it never grows past it', () => {
    // finding 1: ten PATCHes each adding a large email once grew one user past 9 MB
    let target = current;
    const refusals: unknown[] = [];
    for (let i = 0; i < 40; i++) {
      const value = `${i}@${'x'.repeat(LIMITS.maxStringLength - 8)}`;
      const patch = command('roster.command.user.patch.v1', 'id-1', {
        operations: [{ op: 'add', path: { schema: SCHEMA.user, attribute: 'emails' }, value: [{ value }] }],
      });
      const { decision, state } = run(patch, context({ target }));
      if (decision.accepted) target = state as UserState;
      else refusals.push(decision.error);
    }
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toMatchObject({ httpStatus: 400, scimType: 'invalidValue' });
    expect(JSON.stringify(target.attributes).length).toBeLessThanOrEqual(LIMITS.maxUserBytes);
  });

  test('a replacement larger than the size limit is refused', () => {
    const titles = Array.from({ length: 40 }, (_, i) => ({
      value: `${i}${'p'.repeat(LIMITS.maxStringLength - 3)}`,
    }));
    const decision = userDecider.decide(
      command('roster.command.user.replace.v1', 'id-1', {
        user: attributes('ada@x.com', { photos: titles }),
      }),
      context({ target: current }),
    );
    expect(decision).toMatchObject({ accepted: false, error: { httpStatus: 400, scimType: 'invalidValue' } });
  });

  test('deactivate emits one event; deactivating again emits none', () => {
    const first = run(command('roster.command.user.deactivate.v1', 'id-1'), context({ target: current }));
    expect(first.decision).toMatchObject({
      accepted: true,
      events: [{ type: 'UserDeactivated', scimDeleted: false }],
    });
    const again = userDecider.decide(
      command('roster.command.user.deactivate.v1', 'id-1'),
      context({ target: first.state }),
    );
    expect(again).toMatchObject({ accepted: true, events: [] });
  });

  test('delete deactivates and hides the resource; the account stays', () => {
    const { decision, state } = run(
      command('roster.command.user.delete.v1', 'id-1'),
      context({ target: current }),
    );
    expect(decision).toMatchObject({ accepted: true, status: 204 });
    expect(state).toMatchObject({ id: 'id-1', scimDeleted: true, attributes: { active: false } });
    const later = userDecider.decide(
      command('roster.command.user.replace.v1', 'id-1', { user: attributes('ada@x.com') }),
      context({ target: state }),
    );
    expect(later).toMatchObject({ accepted: false, error: { httpStatus: 404 } });
  });

  test('deleting an already deactivated user still hides the resource', () => {
    const inactive = existing('id-1', attributes('ada@x.com', { active: false }));
    const { decision, state } = run(
      command('roster.command.user.delete.v1', 'id-1'),
      context({ target: inactive }),
    );
    expect(decision).toMatchObject({ accepted: true, events: [{ type: 'UserScimDeleted' }] });
    expect(state?.scimDeleted).toBe(true);
  });
});
