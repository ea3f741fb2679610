import {
  envelope,
  LICENSE_SEATS_COLLECTION,
  LICENSES_COLLECTION,
  type LicenseDocument,
  type LicenseSeatsDocument,
  type OrganizationDocument,
  type StepOutcome,
  TOPICS,
  type UserChanged,
} from '@roster/contracts';
import { parseTraceparent } from '@roster/service-kit';
import { createOrganization, waitFor } from '@roster/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seatLimitMessage } from '../src/domain/decide.ts';
import { LICENSING_GROUP_ID, type RunningLicensing, startLicensing } from '../src/service.ts';
import {
  type Infra,
  quietLog,
  type SeatCounts,
  startInfra,
  startTraffic,
  type Traffic,
  userFlow,
} from './helpers.ts';

let infra: Infra;
let service: RunningLicensing;
let traffic: Traffic;
let org: OrganizationDocument;

const licenses = () => infra.db.collection<LicenseDocument>(LICENSES_COLLECTION);
const seats = () => infra.db.collection<LicenseSeatsDocument>(LICENSE_SEATS_COLLECTION);

/** Seats in use per license of an org: the one query readers use. */
const seatsOf = async (tenant: string): Promise<SeatCounts> =>
  Object.fromEntries((await seats().find({ tenant }).toArray()).map((s) => [s.license, s.inUse]));

/** The same figures counted from the per-user documents (what the seat documents must agree with). */
const countedSeats = async (tenant: string): Promise<SeatCounts> => {
  const counted: SeatCounts = {};
  for (const doc of await licenses()
    .find({ tenant, license: { $ne: null } })
    .toArray())
    counted[doc.license!] = (counted[doc.license!] ?? 0) + 1;
  return counted;
};

const nonZero = (counts: SeatCounts): SeatCounts =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));

/** Produces changes and waits for their outcomes. */
const deliver = async (...changes: UserChanged[]): Promise<StepOutcome[]> => {
  await traffic.produce(...changes);
  return Promise.all(changes.map((c) => traffic.outcomeOf(c)));
};

beforeAll(async () => {
  infra = await startInfra();
  org = await createOrganization(infra.db, {
    defaultLicense: 'org-free-license',
    seatLimits: { 'org-full-license': 2 },
  });
  service = await startLicensing(infra.config(), quietLog());
  await service.ready;
  traffic = await startTraffic(infra.kafka);
});

afterAll(async () => {
  await traffic?.stop();
  await service?.stop();
  await infra?.close();
});

describe('licensing consumer', () => {
  it('assigns the default license to a new user without userType and reports it', async () => {
    const user = userFlow(org._id);
    const created = user.next();
    const [outcome] = await deliver(created);
    expect(outcome!).toMatchObject({
      type: 'roster.outcome.step.v1',
      source: '/roster/licensing',
      tenant: org._id,
      subject: user.id,
      correlationid: created.correlationid,
      causationid: created.id,
      data: {
        commandId: created.data.commandId,
        step: 'licensing',
        resource: { type: 'User', id: user.id, sequence: created.data.sequence },
        result: 'succeeded',
        state: { step: 'licensing', license: org.defaultLicense, role: 'member' },
      },
    });
    expect(parseTraceparent(outcome!.traceparent)?.traceId).toBe(
      parseTraceparent(created.traceparent)?.traceId,
    );
    expect(await licenses().findOne({ _id: user.id })).toMatchObject({
      tenant: org._id,
      license: org.defaultLicense,
      role: 'member',
      active: true,
      sequence: created.data.sequence,
    });
  });

  it('follows a user through license and role changes, deactivation and reactivation', async () => {
    const user = userFlow(org._id);
    const before = await seatsOf(org._id);
    const at = (license: string, delta: number) => (before[license as keyof SeatCounts] ?? 0) + delta;

    const created = user.next({ userType: 'org-restricted-license' });
    await deliver(created);
    expect((await seatsOf(org._id))['org-restricted-license']).toBe(at('org-restricted-license', 1));

    const promoted = user.next({ userType: 'org-full-license', organizationAdmin: true });
    const [promotedOutcome] = await deliver(promoted);
    expect(promotedOutcome!.data).toMatchObject({
      result: 'succeeded',
      state: { license: 'org-full-license', role: 'organization-admin' },
    });
    expect(await licenses().findOne({ _id: user.id })).toMatchObject({
      license: 'org-full-license',
      role: 'organization-admin',
      adminSince: promoted.time,
    });
    expect(await seatsOf(org._id)).toMatchObject({
      'org-restricted-license': at('org-restricted-license', 0),
      'org-full-license': at('org-full-license', 1),
    });

    const deactivated = user.next(
      { userType: 'org-full-license', organizationAdmin: true, active: false },
      'deactivated',
    );
    const [deactivatedOutcome] = await deliver(deactivated);
    expect(deactivatedOutcome!.data).toMatchObject({ result: 'succeeded', state: { license: null } });
    const released = await licenses().findOne({ _id: user.id });
    expect(released).toMatchObject({ license: null, active: false, requestedLicense: 'org-full-license' });
    expect(released!.adminSince).toBeUndefined();
    expect((await seatsOf(org._id))['org-full-license']).toBe(at('org-full-license', 0));

    const reactivated = user.next({ userType: 'org-full-license', organizationAdmin: true }, 'reactivated');
    const [reactivatedOutcome] = await deliver(reactivated);
    expect(reactivatedOutcome!.data).toMatchObject({
      result: 'succeeded',
      state: { license: 'org-full-license', role: 'organization-admin' },
    });
    expect(await licenses().findOne({ _id: user.id })).toMatchObject({
      license: 'org-full-license',
      active: true,
      adminSince: reactivated.time,
    });
    expect((await seatsOf(org._id))['org-full-license']).toBe(at('org-full-license', 1));

    const deleted = user.next(
      { userType: 'org-full-license', organizationAdmin: true, active: false, scimDeleted: true },
      'deactivated',
    );
    await deliver(deleted);
    expect((await seatsOf(org._id))['org-full-license']).toBe(at('org-full-license', 0));
    expect(nonZero(await seatsOf(org._id))).toEqual(nonZero(await countedSeats(org._id)));
  });

  it('rejects a license change over the seat limit and keeps the previous license', async () => {
    const limited = await createOrganization(infra.db, {
      defaultLicense: 'org-free-license',
      seatLimits: { 'org-full-license': 1 },
    });
    const holder = userFlow(limited._id);
    const changer = userFlow(limited._id);
    await deliver(holder.next({ userType: 'org-full-license' }), changer.next());
    const attempt = changer.next({ userType: 'org-full-license' });
    const [outcome] = await deliver(attempt);
    const limit = limited.seatLimits['org-full-license']!;
    expect(outcome!.data).toMatchObject({
      result: 'rejected',
      reason: { code: 'seat_limit_reached', message: seatLimitMessage('org-full-license', limit, limit) },
      state: { step: 'licensing', license: limited.defaultLicense, role: 'member' },
    });
    expect(await licenses().findOne({ _id: changer.id })).toMatchObject({
      license: limited.defaultLicense,
      requestedLicense: 'org-full-license',
      sequence: attempt.data.sequence,
    });
    expect(await seatsOf(limited._id)).toEqual({ 'org-full-license': limit, [limited.defaultLicense]: 1 });

    // The holder leaves: the next change of the refused user gets the seat.
    await deliver(holder.next({ userType: 'org-full-license', active: false }, 'deactivated'));
    const [retried] = await deliver(changer.next({ userType: 'org-full-license' }));
    expect(retried!.data).toMatchObject({ result: 'succeeded', state: { license: 'org-full-license' } });
    expect(await seatsOf(limited._id)).toEqual({ 'org-full-license': limit, [limited.defaultLicense]: 0 });
  });

  it('a duplicate delivery takes no second seat and republishes the same outcome', async () => {
    const user = userFlow(org._id);
    const created = user.next({ userType: 'org-restricted-license' });
    const [first] = await deliver(created);
    const seatsBefore = await seatsOf(org._id);
    const docBefore = await licenses().findOne({ _id: user.id });

    await traffic.produce(created, created);
    const answers = await waitFor(
      () => {
        const all = traffic.outcomes.messages.filter((o) => o.causationid === created.id);
        return all.length === 3 ? all : undefined;
      },
      { what: 'three outcomes of one change' },
    );
    for (const answer of answers) {
      expect(answer.id).toBe(first!.id);
      expect(answer.data).toEqual(first!.data);
    }
    expect(await seatsOf(org._id)).toEqual(seatsBefore);
    expect(await licenses().findOne({ _id: user.id })).toEqual(docBefore);

    // An older change delivered after a newer one changes nothing either.
    const updated = user.next({ userType: 'org-full-license', active: false }, 'deactivated');
    await deliver(updated);
    const afterUpdate = await licenses().findOne({ _id: user.id });
    const [stale] = await deliver({ ...created, id: crypto.randomUUID() });
    // Its original result, with the current state (an old change never rolls the view back).
    expect(stale!.data).toMatchObject({
      resource: { sequence: created.data.sequence },
      result: first!.data.result,
      state: { step: 'licensing', license: null, role: 'member' },
    });
    expect(await licenses().findOne({ _id: user.id })).toEqual(afterUpdate);
    expect(nonZero(await seatsOf(org._id))).toEqual(nonZero(await countedSeats(org._id)));
  });

  it('ignores group changes (acknowledged, no outcome) and keeps consuming', async () => {
    const groupId = crypto.randomUUID();
    const groupChange = envelope(
      'roster.directory.group.changed.v2',
      { source: '/roster/status', tenant: org._id, subject: groupId, correlationid: crypto.randomUUID() },
      {
        commandId: crypto.randomUUID(),
        change: 'created',
        sequence: 1,
        group: { id: groupId, displayName: 'Design', memberCount: 0 },
        members: { kind: 'replaced', memberIds: [] },
        awaits: [],
      },
    );
    const after = userFlow(org._id).next();
    await traffic.produce({ key: `${org._id}:${groupId}`, value: JSON.stringify(groupChange) }, after);
    await traffic.outcomeOf(after);
    expect(
      traffic.outcomes.messages.some((o) => o.subject === groupId || o.causationid === groupChange.id),
    ).toBe(false);
  });

  it('dead-letters poison messages and keeps the partition flowing', async () => {
    const user = userFlow(org._id);
    const valid = user.next();
    const key = `${org._id}:${user.id}`;
    const broken = { ...user.next(), data: { sequence: 'not a number' } };
    const garbage = '{"this is": not json';
    const partitions = await traffic.produce(
      { key, value: garbage },
      { key, value: JSON.stringify(broken) },
      valid,
    );
    expect(new Set(partitions).size).toBe(1);

    const outcome = await traffic.outcomeOf(valid);
    expect(outcome.data.result).toBe('succeeded');
    const letters = await waitFor(
      () => {
        const mine = traffic.deadLetters.messages.filter((d) => d.origin.key === key);
        return mine.length === 2 ? mine : undefined;
      },
      { what: 'two dead letters' },
    );
    expect(letters.map((l) => l.error.kind).sort()).toEqual(['invalid', 'unparseable']);
    for (const letter of letters) {
      expect(letter.consumerGroup).toBe(LICENSING_GROUP_ID);
      expect(letter.origin.topic).toBe(TOPICS.directoryChanges.name);
    }
    expect(letters.map((l) => l.value.data).sort()).toEqual([garbage, JSON.stringify(broken)].sort());
    expect(traffic.outcomes.messages.some((o) => o.causationid === broken.id)).toBe(false);
  });
});
