import type { License, LicenseDocument, UserSnapshot } from '@roster/contracts';
import { describe, expect, it } from 'vitest';
import {
  decideLicensing,
  type LicensingChange,
  type LicensingContext,
  type LicensingDecision,
  type LicensingSettings,
  OUTCOME_HISTORY,
  seatLimitMessage,
} from '../src/domain/decide.ts';

const TENANT = 'org-1';
const NOW = '2026-11-25T10:00:00.000Z';
const ORG: LicensingSettings = { defaultLicense: 'org-free-license', seatLimits: {} };

const snapshot = (overrides: Partial<UserSnapshot> = {}): UserSnapshot => ({
  id: 'user-1',
  userName: 'ada@example.com',
  email: 'ada@example.com',
  active: true,
  scimDeleted: false,
  organizationAdmin: false,
  ...overrides,
});

let sequence = 0;
const change = (user: Partial<UserSnapshot> = {}, seq = ++sequence): LicensingChange => ({
  tenant: TENANT,
  commandId: `cmd-${seq}`,
  sequence: seq,
  time: `2026-11-25T09:00:${String(seq % 60).padStart(2, '0')}.000Z`,
  user: snapshot(user),
});

const ctx = (overrides: Partial<LicensingContext> = {}): LicensingContext => ({
  now: NOW,
  current: undefined,
  org: ORG,
  seatsInUse: {},
  ...overrides,
});

const applied = (decision: LicensingDecision) => {
  if (decision.kind !== 'apply') throw new Error(`expected apply, got ${decision.kind}`);
  return decision;
};

/** Runs a sequence of changes through the decider, keeping seat counts like the store does. */
const run = (
  changes: LicensingChange[],
  org: LicensingSettings = ORG,
  seats: Partial<Record<License, number>> = {},
) => {
  let current: LicenseDocument | undefined;
  const seatsInUse = { ...seats };
  const decisions = changes.map((c) => {
    const decision = decideLicensing(c, ctx({ current, org, seatsInUse: { ...seatsInUse } }));
    if (decision.kind === 'apply') {
      if (decision.release) seatsInUse[decision.release] = (seatsInUse[decision.release] ?? 0) - 1;
      if (decision.claim) seatsInUse[decision.claim] = (seatsInUse[decision.claim] ?? 0) + 1;
      current = decision.next;
    }
    return decision;
  });
  return { decisions, current: current!, seatsInUse };
};

describe('decideLicensing', () => {
  it('gives a new user the license of its userType', () => {
    const decision = applied(decideLicensing(change({ userType: 'org-full-license' }), ctx()));
    expect(decision.claim).toBe('org-full-license');
    expect(decision.release).toBeUndefined();
    expect(decision.next).toMatchObject({
      _id: 'user-1',
      tenant: TENANT,
      license: 'org-full-license',
      requestedLicense: 'org-full-license',
      role: 'member',
      active: true,
    });
    expect(decision.next.adminSince).toBeUndefined();
    expect(decision.outcome).toMatchObject({
      result: 'succeeded',
      license: 'org-full-license',
      role: 'member',
    });
  });

  it("gives a new user without userType the organization's default license", () => {
    const org: LicensingSettings = { defaultLicense: 'org-restricted-license', seatLimits: {} };
    const decision = applied(decideLicensing(change(), ctx({ org })));
    expect(decision.claim).toBe(org.defaultLicense);
    expect(decision.next.license).toBe(org.defaultLicense);
    expect(decision.outcome.result).toBe('succeeded');
  });

  it('rejects a user without userType when the organization is unknown', () => {
    const decision = applied(decideLicensing(change(), ctx({ org: undefined })));
    expect(decision.claim).toBeUndefined();
    expect(decision.next.license).toBeNull();
    expect(decision.outcome).toMatchObject({ result: 'rejected', reason: { code: 'no_default_license' } });
  });

  it('makes an organization admin, records adminSince once and clears it on demotion', () => {
    const create = change();
    const promote = change({ organizationAdmin: true });
    const again = change({ organizationAdmin: true, userType: 'org-full-license' });
    const demote = change({ organizationAdmin: false, userType: 'org-full-license' });
    const { decisions } = run([create, promote, again, demote]);
    const [created, promoted, stillAdmin, demoted] = decisions.map(applied);
    expect(created!.next.role).toBe('member');
    expect(promoted!.next).toMatchObject({ role: 'organization-admin', adminSince: promote.time });
    expect(promoted!.claim).toBeUndefined();
    expect(stillAdmin!.next).toMatchObject({ role: 'organization-admin', adminSince: promote.time });
    expect(demoted!.next.role).toBe('member');
    expect(demoted!.next.adminSince).toBeUndefined();
    expect(demoted!.outcome).toMatchObject({
      result: 'succeeded',
      role: 'member',
      license: 'org-full-license',
    });
  });

  it('changes the license on update: the old seat is released, the new one claimed', () => {
    const { decisions, seatsInUse } = run([change(), change({ userType: 'org-full-license' })]);
    const update = applied(decisions[1]!);
    expect(update.release).toBe(ORG.defaultLicense);
    expect(update.claim).toBe('org-full-license');
    expect(update.next.license).toBe('org-full-license');
    expect(seatsInUse).toEqual({ [ORG.defaultLicense]: 0, 'org-full-license': 1 });
  });

  it('releases the seat on deactivation and on SCIM DELETE, keeping role and requested license', () => {
    for (const gone of [{ active: false }, { active: false, scimDeleted: true }]) {
      const { decisions, seatsInUse } = run([
        change({ userType: 'org-full-license', organizationAdmin: true }),
        change({ userType: 'org-full-license', organizationAdmin: true, ...gone }),
      ]);
      const deactivated = applied(decisions[1]!);
      expect(deactivated.release).toBe('org-full-license');
      expect(deactivated.claim).toBeUndefined();
      expect(deactivated.next).toMatchObject({
        license: null,
        requestedLicense: 'org-full-license',
        active: false,
        role: 'organization-admin',
      });
      expect(deactivated.next.adminSince).toBeUndefined();
      expect(deactivated.outcome).toMatchObject({ result: 'succeeded', license: null });
      expect(seatsInUse['org-full-license']).toBe(0);
    }
  });

  it('reassigns the seat on reactivation (and a new adminSince)', () => {
    const create = change({ userType: 'org-full-license', organizationAdmin: true });
    const deactivate = change({ userType: 'org-full-license', organizationAdmin: true, active: false });
    const reactivate = change({ userType: 'org-full-license', organizationAdmin: true });
    const { decisions, seatsInUse } = run([create, deactivate, reactivate]);
    const reactivated = applied(decisions[2]!);
    expect(reactivated.claim).toBe('org-full-license');
    expect(reactivated.release).toBeUndefined();
    expect(reactivated.next).toMatchObject({
      license: 'org-full-license',
      active: true,
      adminSince: reactivate.time,
    });
    expect(seatsInUse['org-full-license']).toBe(1);
  });

  it('creates a deactivated user without taking a seat', () => {
    const decision = applied(decideLicensing(change({ active: false }), ctx()));
    expect(decision.claim).toBeUndefined();
    expect(decision.next).toMatchObject({
      license: null,
      active: false,
      requestedLicense: ORG.defaultLicense,
    });
  });

  it('rejects a new user when the seat limit is reached; the user has no seat', () => {
    const limit = 3;
    const org: LicensingSettings = { ...ORG, seatLimits: { 'org-full-license': limit } };
    const decision = applied(
      decideLicensing(
        change({ userType: 'org-full-license', organizationAdmin: true }),
        ctx({ org, seatsInUse: { 'org-full-license': limit } }),
      ),
    );
    expect(decision.claim).toBeUndefined();
    expect(decision.release).toBeUndefined();
    expect(decision.outcome).toEqual({
      sequence: decision.next.sequence,
      commandId: decision.next.outcomes.at(-1)!.commandId,
      result: 'rejected',
      reason: { code: 'seat_limit_reached', message: seatLimitMessage('org-full-license', limit, limit) },
      license: null,
      role: 'organization-admin',
    });
    expect(decision.outcome.reason!.message).toBe(
      `No org-full-license seat left in this organization (limit ${limit}, ${limit} in use). Free a seat or raise the limit.`,
    );
    expect(decision.next).toMatchObject({
      license: null,
      requestedLicense: 'org-full-license',
      active: true,
    });
  });

  it('rejects a license change over the limit; the user keeps the previous license', () => {
    const limit = 2;
    const org: LicensingSettings = { ...ORG, seatLimits: { 'org-full-license': limit } };
    const { decisions, current, seatsInUse } = run(
      [change(), change({ userType: 'org-full-license' })],
      org,
      { 'org-full-license': limit },
    );
    const refused = applied(decisions[1]!);
    expect(refused.claim).toBeUndefined();
    expect(refused.release).toBeUndefined();
    expect(refused.outcome).toMatchObject({
      result: 'rejected',
      reason: { code: 'seat_limit_reached' },
      license: ORG.defaultLicense,
    });
    expect(current).toMatchObject({ license: ORG.defaultLicense, requestedLicense: 'org-full-license' });
    expect(seatsInUse).toEqual({ [ORG.defaultLicense]: 1, 'org-full-license': limit });
  });

  it('allows a claim below the limit and treats a limit of 0 as no seats', () => {
    const below = applied(
      decideLicensing(
        change({ userType: 'org-full-license' }),
        ctx({
          org: { ...ORG, seatLimits: { 'org-full-license': 2 } },
          seatsInUse: { 'org-full-license': 1 },
        }),
      ),
    );
    expect(below.claim).toBe('org-full-license');
    const none = applied(
      decideLicensing(
        change({ userType: 'org-full-license' }),
        ctx({ org: { ...ORG, seatLimits: { 'org-full-license': 0 } } }),
      ),
    );
    expect(none.outcome.result).toBe('rejected');
  });

  it('retries a refused license on the next change of the user once a seat is free', () => {
    const org: LicensingSettings = { ...ORG, seatLimits: { 'org-full-license': 1 } };
    const refused = applied(
      decideLicensing(
        change({ userType: 'org-full-license' }),
        ctx({ org, seatsInUse: { 'org-full-license': 1 } }),
      ),
    );
    const later = applied(
      decideLicensing(
        change({ userType: 'org-full-license', organizationAdmin: true }),
        ctx({ org, current: refused.next, seatsInUse: { 'org-full-license': 0 } }),
      ),
    );
    expect(later.claim).toBe('org-full-license');
    expect(later.outcome).toMatchObject({ result: 'succeeded', license: 'org-full-license' });
  });

  it('treats a redelivered sequence as a no-op that republishes the stored outcome', () => {
    const org: LicensingSettings = { ...ORG, seatLimits: { 'org-full-license': 1 } };
    const first = change();
    const second = change({ userType: 'org-full-license' });
    const { decisions, current } = run([first, second], org, { 'org-full-license': 1 });
    const rejected = applied(decisions[1]!).outcome;
    expect(rejected.result).toBe('rejected');
    // Stays rejected on redelivery even though seats are now free.
    const decision = decideLicensing(second, ctx({ org, current, seatsInUse: {} }));
    expect(decision).toEqual({ kind: 'redelivery', outcome: rejected });
  });

  it('answers an older sequence with its original result and the current license and role', () => {
    const org: LicensingSettings = { ...ORG, seatLimits: { 'org-full-license': 1 } };
    const refused = change({ userType: 'org-full-license' });
    const promoted = change({ organizationAdmin: true });
    const { current } = run([refused, promoted], org, { 'org-full-license': 1 });
    const decision = decideLicensing(refused, ctx({ org, current }));
    expect(decision).toEqual({
      kind: 'redelivery',
      outcome: {
        sequence: refused.sequence,
        commandId: refused.commandId,
        result: 'rejected',
        reason: { code: 'seat_limit_reached', message: seatLimitMessage('org-full-license', 1, 1) },
        license: ORG.defaultLicense,
        role: 'organization-admin',
      },
    });
  });

  it('answers a sequence older than the kept history with the current state', () => {
    const changes = Array.from({ length: OUTCOME_HISTORY + 2 }, () => change());
    const { current } = run(changes);
    expect(current.outcomes).toHaveLength(OUTCOME_HISTORY);
    const decision = decideLicensing(changes[0]!, ctx({ current }));
    expect(decision).toEqual({
      kind: 'redelivery',
      outcome: {
        sequence: changes[0]!.sequence,
        commandId: changes[0]!.commandId,
        result: 'succeeded',
        license: current.license,
        role: current.role,
      },
    });
  });

  it('an unchanged snapshot moves no seat', () => {
    const { decisions, seatsInUse } = run([change(), change()]);
    const same = applied(decisions[1]!);
    expect(same.claim).toBeUndefined();
    expect(same.release).toBeUndefined();
    expect(seatsInUse).toEqual({ [ORG.defaultLicense]: 1 });
  });
});
