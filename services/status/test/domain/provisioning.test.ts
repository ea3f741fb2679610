import type { StepOutcome } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { commandCompletion } from '../../src/domain/provisioning/completion.ts';
import { EMPTY_PROVISIONING, foldOutcome } from '../../src/domain/provisioning/fold.ts';

const AT = '2026-11-25T10:00:00.000Z';
const outcome = (
  data: Partial<StepOutcome['data']> & Pick<StepOutcome['data'], 'step'>,
): StepOutcome['data'] => ({
  commandId: 'cmd-1',
  resource: { type: 'User', id: 'u1', sequence: 1 },
  result: 'succeeded',
  ...data,
});

describe('folding step outcomes into the provisioning view', () => {
  test('a license and role assignment names both changes; folding it again names none', () => {
    const licensed = outcome({
      step: 'licensing',
      state: { step: 'licensing', license: 'org-full-license', role: 'organization-admin' },
    });
    const first = foldOutcome(undefined, licensed, AT);
    expect(first.view).toMatchObject({
      license: 'org-full-license',
      role: 'organization-admin',
      steps: { licensing: { state: 'succeeded', commandId: 'cmd-1' } },
    });
    expect(first.changes).toEqual([
      { kind: 'license', from: null, to: 'org-full-license' },
      { kind: 'role', from: 'member', to: 'organization-admin' },
    ]);
    expect(foldOutcome(first.view, licensed, AT).changes).toEqual([]);
  });

  test('workspace membership changes name each workspace joined or left', () => {
    const a = { id: 'w1', name: 'Everyone' };
    const b = { id: 'w2', name: 'Marketing Workspace' };
    const before = { ...EMPTY_PROVISIONING, workspaces: [a] };
    const { changes } = foldOutcome(
      before,
      outcome({ step: 'membership', state: { step: 'membership', workspaces: [b] } }),
      AT,
    );
    expect(changes).toEqual([
      { kind: 'workspaceAdded', workspace: b },
      { kind: 'workspaceRemoved', workspace: a },
    ]);
  });

  test('a rejected step keeps the state and records why', () => {
    const before = { ...EMPTY_PROVISIONING, license: 'org-free-license' as const };
    const rejected = outcome({
      step: 'licensing',
      result: 'rejected',
      reason: { code: 'seat_limit_reached', message: 'No seat left' },
    });
    const { view, changes } = foldOutcome(before, rejected, AT);
    expect(view.license).toBe('org-free-license');
    expect(view.steps.licensing).toEqual({
      state: 'rejected',
      detail: 'No seat left',
      updated: AT,
      commandId: 'cmd-1',
      sequence: 1,
    });
    expect(changes).toEqual([]);
  });

  test('a content transfer is announced once when done, and again for a later deactivation', () => {
    const pending = outcome({
      step: 'content-transfer',
      state: { step: 'content-transfer', state: 'pending_admin', itemsMoved: 0 },
    });
    const done = outcome({
      step: 'content-transfer',
      state: {
        step: 'content-transfer',
        state: 'done',
        toUserId: 'admin',
        folder: 'ada@x.com',
        itemsMoved: 3,
      },
    });
    const waiting = foldOutcome(undefined, pending, AT);
    expect(waiting.changes).toEqual([]);
    const finished = foldOutcome(waiting.view, done, AT);
    expect(finished.changes).toEqual([
      { kind: 'contentTransferred', state: 'done', toUserId: 'admin', folder: 'ada@x.com', itemsMoved: 3 },
    ]);
    expect(foldOutcome(finished.view, done, AT).changes).toEqual([]);
    expect(foldOutcome(finished.view, { ...done, commandId: 'cmd-2' }, AT).changes).toHaveLength(1);
  });
});

test('a report about an older change never overrides a newer one', () => {
  const newer = outcome({
    step: 'licensing',
    resource: { type: 'User', id: 'u1', sequence: 5 },
    state: { step: 'licensing', license: null, role: 'member' },
  });
  const older = outcome({
    step: 'licensing',
    resource: { type: 'User', id: 'u1', sequence: 4 },
    state: { step: 'licensing', license: 'org-full-license', role: 'member' },
  });
  const { view } = foldOutcome(undefined, newer, AT);
  expect(foldOutcome(view, older, AT)).toEqual({ view, changes: [] });
});

test('an interim transfer state arriving after that transfer was done changes nothing', () => {
  const done = outcome({
    step: 'content-transfer',
    state: { step: 'content-transfer', state: 'done', toUserId: 'admin', folder: 'ada@x.com', itemsMoved: 3 },
  });
  const late = outcome({
    step: 'content-transfer',
    state: {
      step: 'content-transfer',
      state: 'in_progress',
      toUserId: 'admin',
      folder: 'ada@x.com',
      itemsMoved: 1,
    },
  });
  const { view } = foldOutcome(undefined, done, AT);
  expect(foldOutcome(view, late, AT)).toEqual({ view, changes: [] });
});

describe('when a waiting SCIM call can be answered', () => {
  test('only once every awaited step reported', () => {
    expect(commandCompletion(['licensing', 'membership'], { licensing: { result: 'succeeded' } })).toEqual({
      complete: false,
    });
    expect(
      commandCompletion(['licensing', 'membership'], {
        licensing: { result: 'succeeded' },
        membership: { result: 'succeeded' },
      }),
    ).toEqual({ complete: true });
  });

  test('a rejection is a 409 carrying the reason; a failure is a 503', () => {
    const rejected = commandCompletion(['licensing'], {
      licensing: { result: 'rejected', reason: { code: 'seat_limit_reached', message: 'No seat left' } },
    });
    expect(rejected).toMatchObject({ complete: true, error: { httpStatus: 409, detail: 'No seat left' } });
    expect(commandCompletion(['membership'], { membership: { result: 'failed' } })).toMatchObject({
      complete: true,
      error: { httpStatus: 503 },
    });
  });
});
