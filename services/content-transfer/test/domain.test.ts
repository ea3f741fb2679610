import type { ContentTransferDocument, ContentUserDocument, UserSnapshot } from '@roster/contracts';
import { snapshot } from '@roster/service-kit/testing';
import { describe, expect, test } from 'vitest';
import {
  evolveTransfer,
  mayRun,
  nextStep,
  outcomeState,
  type TransferEvent,
  transferId,
} from '../src/domain/transfer.ts';
import type { UserChangeInput } from '../src/domain/user-change.ts';
import { decideUserChange, selectOldestAdmin, userKey } from '../src/domain/users.ts';

const TENANT = 'org-1';
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const change = (sequence: number, user: UserSnapshot, minute = sequence): UserChangeInput => ({
  tenant: TENANT,
  sequence,
  time: at(minute),
  user,
  commandId: `cmd-${user.id}-${sequence}`,
  changeId: `chg-${user.id}-${sequence}`,
  correlationid: `corr-${user.id}-${sequence}`,
});

const projected = (id: string, extra: Partial<ContentUserDocument> = {}): ContentUserDocument => ({
  _id: userKey(TENANT, id),
  tenant: TENANT,
  userId: id,
  email: `${id}@example.com`,
  active: true,
  organizationAdmin: true,
  adminSince: at(0),
  sequence: 1,
  latestTransferId: null,
  updatedAt: at(0),
  ...extra,
});

/** Applies a sequence of changes the way the shell does (a redelivery leaves the state alone). */
const replay = (changes: UserChangeInput[]) => {
  let user: ContentUserDocument | null = null;
  const transfers: ContentTransferDocument[] = [];
  for (const c of changes) {
    const d = decideUserChange(user, c);
    if (d.kind === 'redelivery') continue;
    if (d.transfer) transfers.push(d.transfer);
    user = d.user;
  }
  return { user, transfers };
};

describe('oldest admin selection', () => {
  test('the active admin with the earliest admin-since wins', () => {
    const admins = [
      projected('b', { adminSince: at(5) }),
      projected('c', { adminSince: at(2) }),
      projected('a', { adminSince: at(9) }),
    ];
    expect(selectOldestAdmin(admins, 'departing')?.userId).toBe('c');
  });

  test('ties on admin-since are broken by user id', () => {
    const admins = [projected('zed', { adminSince: at(1) }), projected('amy', { adminSince: at(1) })];
    expect(selectOldestAdmin(admins, 'departing')?.userId).toBe('amy');
    expect(selectOldestAdmin([...admins].reverse(), 'departing')?.userId).toBe('amy');
  });

  test('never the departing user, even when they are the oldest', () => {
    const admins = [projected('old', { adminSince: at(0) }), projected('young', { adminSince: at(7) })];
    expect(selectOldestAdmin(admins, 'old')?.userId).toBe('young');
    expect(selectOldestAdmin([projected('old')], 'old')).toBeNull();
  });

  test('inactive users and non-admins do not count', () => {
    const users = [
      projected('gone', { active: false, adminSince: null }),
      projected('member', { organizationAdmin: false, adminSince: null }),
    ];
    expect(selectOldestAdmin(users, 'x')).toBeNull();
    expect(selectOldestAdmin([...users, projected('boss', { adminSince: at(3) })], 'x')?.userId).toBe('boss');
  });
});

describe('user projection', () => {
  test('admin-since is the time of the change that first made them an active admin', () => {
    const { user } = replay([
      change(1, snapshot('a')),
      change(2, snapshot('a', { organizationAdmin: true })),
      change(3, snapshot('a', { organizationAdmin: true, userName: 'renamed' })),
    ]);
    expect(user?.adminSince).toBe(at(2));
  });

  test('losing the role (or the account) clears admin-since; a new grant starts a new one', () => {
    const { user } = replay([
      change(1, snapshot('a', { organizationAdmin: true })),
      change(2, snapshot('a', { organizationAdmin: false })),
      change(3, snapshot('a', { organizationAdmin: true })),
    ]);
    expect(user?.adminSince).toBe(at(3));
  });

  test('a change at or below the recorded sequence is a redelivery', () => {
    const first = decideUserChange(null, change(4, snapshot('a')));
    if (first.kind !== 'apply') throw new Error('expected apply');
    expect(decideUserChange(first.user, change(4, snapshot('a'))).kind).toBe('redelivery');
    expect(decideUserChange(first.user, change(3, snapshot('a', { active: false }))).kind).toBe('redelivery');
  });

  test('deactivation (active=false or SCIM DELETE) starts one transfer into the folder named with the email', () => {
    const { user, transfers } = replay([
      change(1, snapshot('u', { email: 'u.work@corp.example' })),
      change(2, snapshot('u', { email: 'u.work@corp.example', active: false, scimDeleted: true })),
    ]);
    expect(transfers).toHaveLength(1);
    const [t] = transfers;
    expect(t).toMatchObject({
      _id: transferId(TENANT, 'u', 2),
      state: 'pending',
      folder: 'u.work@corp.example',
      commandId: 'cmd-u-2',
      sequence: 2,
      itemsMoved: 0,
      toUserId: null,
    });
    expect(user?.latestTransferId).toBe(t?._id);
  });

  test('the same deactivation redelivered decides the same transfer; a second deactivation starts none', () => {
    const active = decideUserChange(null, change(1, snapshot('u')));
    if (active.kind !== 'apply') throw new Error('expected apply');
    const a = decideUserChange(active.user, change(2, snapshot('u', { active: false })));
    const b = decideUserChange(active.user, change(2, snapshot('u', { active: false })));
    expect(a).toEqual(b);
    const { transfers } = replay([
      change(1, snapshot('u')),
      change(2, snapshot('u', { active: false })),
      change(2, snapshot('u', { active: false })),
      change(3, snapshot('u', { active: false, scimDeleted: true })),
    ]);
    expect(transfers.map((t) => t._id)).toEqual([transferId(TENANT, 'u', 2)]);
  });

  test('a deactivation after a reactivation is a new transfer (new sequence)', () => {
    const { transfers } = replay([
      change(1, snapshot('u')),
      change(2, snapshot('u', { active: false })),
      change(3, snapshot('u', { active: true })),
      change(4, snapshot('u', { active: false })),
    ]);
    expect(transfers.map((t) => t._id)).toEqual([transferId(TENANT, 'u', 2), transferId(TENANT, 'u', 4)]);
  });

  test('a user first seen inactive gets a transfer (of whatever they own)', () => {
    expect(replay([change(1, snapshot('u', { active: false }))]).transfers).toHaveLength(1);
  });

  test('a reactivation asks to cancel the transfer if it still waits for an admin', () => {
    const { user } = replay([change(1, snapshot('u')), change(2, snapshot('u', { active: false }))]);
    const d = decideUserChange(user, change(3, snapshot('u')));
    expect(d).toMatchObject({ kind: 'apply', transfer: null, cancelIfWaiting: transferId(TENANT, 'u', 2) });
  });
});

describe('transfer state machine', () => {
  const fresh = () => {
    const d = decideUserChange(projected('u', { organizationAdmin: false, adminSince: null }), {
      ...change(2, snapshot('u', { active: false })),
    });
    if (d.kind !== 'apply' || !d.transfer) throw new Error('expected a transfer');
    return d.transfer;
  };
  const run = (t: ContentTransferDocument, events: TransferEvent[]) => events.reduce(evolveTransfer, t);

  test('pending_admin → in_progress → done', () => {
    let t = fresh();
    expect(nextStep(t, null)).toEqual({ kind: 'wait_admin' });
    t = evolveTransfer(t, { type: 'AdminMissing', at: at(3) });
    expect(t.state).toBe('pending_admin');
    expect(outcomeState(t)).toEqual({
      step: 'content-transfer',
      state: 'pending_admin',
      folder: 'u@example.com',
      itemsMoved: 0,
    });
    expect(nextStep(t, null)).toEqual({ kind: 'wait_admin' });
    expect(nextStep(t, { userId: 'boss' })).toEqual({ kind: 'start', toUserId: 'boss' });
    t = evolveTransfer(t, { type: 'Started', toUserId: 'boss', owner: 'm1', leaseUntil: at(10), at: at(4) });
    expect(t).toMatchObject({ state: 'in_progress', toUserId: 'boss', lease: { owner: 'm1' } });
    // an admin chosen at the start stays the target, whoever is the oldest admin later
    expect(nextStep(t, { userId: 'other' })).toEqual({ kind: 'resume', toUserId: 'boss' });
    t = run(t, [
      { type: 'BatchMoved', itemsMoved: 100, leaseUntil: at(11), at: at(5) },
      { type: 'BatchMoved', itemsMoved: 200, leaseUntil: at(12), at: at(6) },
      { type: 'Completed', itemsMoved: 250, at: at(7) },
    ]);
    expect(t).toMatchObject({ state: 'done', itemsMoved: 250, lease: null, completedAt: at(7) });
    expect(nextStep(t, { userId: 'boss' })).toEqual({ kind: 'finished' });
    expect(outcomeState(t)).toEqual({
      step: 'content-transfer',
      state: 'done',
      toUserId: 'boss',
      folder: 'u@example.com',
      itemsMoved: 250,
    });
  });

  test('with an admin present the transfer starts right away', () => {
    expect(nextStep(fresh(), { userId: 'boss' })).toEqual({ kind: 'start', toUserId: 'boss' });
  });

  test('a finished transfer ignores every later event (a redelivery is a no-op)', () => {
    const done = run(fresh(), [
      { type: 'Started', toUserId: 'boss', owner: 'm1', leaseUntil: at(10), at: at(4) },
      { type: 'Completed', itemsMoved: 3, at: at(5) },
    ]);
    for (const e of [
      { type: 'AdminMissing', at: at(6) },
      { type: 'Started', toUserId: 'x', owner: 'm2', leaseUntil: at(20), at: at(6) },
      { type: 'LeaseTaken', owner: 'm2', leaseUntil: at(20), at: at(6) },
      { type: 'BatchMoved', itemsMoved: 9, leaseUntil: at(20), at: at(6) },
      { type: 'Completed', itemsMoved: 9, at: at(6) },
      { type: 'Cancelled', at: at(6) },
    ] satisfies TransferEvent[])
      expect(evolveTransfer(done, e)).toBe(done);
  });

  test('only a waiting transfer can be cancelled (reactivation); a moving one completes', () => {
    const waiting = evolveTransfer(fresh(), { type: 'AdminMissing', at: at(3) });
    const cancelled = evolveTransfer(waiting, { type: 'Cancelled', at: at(4) });
    expect(cancelled.state).toBe('cancelled');
    expect(outcomeState(cancelled)).toEqual({ step: 'content-transfer', state: 'none', itemsMoved: 0 });
    const moving = evolveTransfer(waiting, {
      type: 'Started',
      toUserId: 'boss',
      owner: 'm1',
      leaseUntil: at(10),
      at: at(4),
    });
    expect(evolveTransfer(moving, { type: 'Cancelled', at: at(5) })).toBe(moving);
    expect(outcomeState(null)).toEqual({ step: 'content-transfer', state: 'none', itemsMoved: 0 });
  });

  test('the lease: free, expired or our own message can run; a live foreign lease cannot', () => {
    const moving = evolveTransfer(fresh(), {
      type: 'Started',
      toUserId: 'boss',
      owner: 'm1',
      leaseUntil: at(10),
      at: at(4),
    });
    expect(mayRun(moving, 'm1', at(5))).toBe(true);
    expect(mayRun(moving, 'm2', at(5))).toBe(false);
    expect(mayRun(moving, 'm2', at(10))).toBe(true);
    expect(mayRun({ ...moving, lease: null }, 'm2', at(5))).toBe(true);
  });
});
