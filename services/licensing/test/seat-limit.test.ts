import {
  LICENSE_SEATS_COLLECTION,
  LICENSES_COLLECTION,
  type License,
  type LicenseDocument,
  type LicenseSeatsDocument,
  TOPICS,
  type UserChanged,
} from '@roster/contracts';
import { createPublisher, type Publisher, systemClock } from '@roster/service-kit';
import { createOrganization, PARTITIONS, snapshot, waitFor } from '@roster/service-kit/testing';
import { Partitioners } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LicensingChange, type LicensingSettings, seatLimitMessage } from '../src/domain/decide.ts';
import { handleUserChanges } from '../src/handlers/user-changed.ts';
import { LICENSING_GROUP_ID, type RunningLicensing, startLicensing } from '../src/service.ts';
import { LicensingStore } from '../src/store/licenses.ts';
import {
  type Infra,
  newUserId,
  quietLog,
  type SeatCounts,
  startInfra,
  startTraffic,
  type Traffic,
  userChanged,
} from './helpers.ts';

const FULL: License = 'org-full-license';
const REPLICAS = 3;

let infra: Infra;
const replicas: RunningLicensing[] = [];
let traffic: Traffic;

const licenses = () => infra.db.collection<LicenseDocument>(LICENSES_COLLECTION);
const seats = () => infra.db.collection<LicenseSeatsDocument>(LICENSE_SEATS_COLLECTION);
const seatsOf = async (tenant: string): Promise<SeatCounts> =>
  Object.fromEntries((await seats().find({ tenant }).toArray()).map((s) => [s.license, s.inUse]));
const holders = (tenant: string, license: License) => licenses().countDocuments({ tenant, license });

/** One change through the store, as a batch of one. */
const applyOne = async (store: LicensingStore, change: LicensingChange, org: LicensingSettings) =>
  (await store.apply([{ change, org }], systemClock))[0]!;

/** The partition kafkajs's default partitioner picks for a key (what the status service's producer does). */
const partitionOf = (key: string): number =>
  Partitioners.DefaultPartitioner()({
    topic: TOPICS.directoryChanges.name,
    partitionMetadata: Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    })) as never,
    message: { key, value: null },
  });

/** `perPartition` user ids for each partition of the directory-changes topic. */
const usersSpreadOverPartitions = (tenant: string, perPartition: number): string[] => {
  const buckets: string[][] = Array.from({ length: PARTITIONS }, () => []);
  while (buckets.some((b) => b.length < perPartition)) {
    const id = newUserId();
    const bucket = buckets[partitionOf(`${tenant}:${id}`)]!;
    if (bucket.length < perPartition) bucket.push(id);
  }
  return buckets.flat();
};

beforeAll(async () => {
  infra = await startInfra();
});

afterAll(async () => {
  await traffic?.stop();
  await Promise.all(replicas.map((r) => r.stop()));
  await infra?.close();
});

describe('seat limits under concurrency', () => {
  it('several replicas creating users of one org on every partition take exactly the limit', async () => {
    for (let i = 0; i < REPLICAS; i++) replicas.push(await startLicensing(infra.config(), quietLog()));
    await Promise.all(replicas.map((r) => r.ready));
    const admin = infra.kafka.admin();
    await admin.connect();
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([LICENSING_GROUP_ID]);
        const group = groups[0];
        return group?.state === 'Stable' && group.members.length === REPLICAS;
      },
      { what: `${REPLICAS} replicas in a stable group` },
    );
    await admin.disconnect();
    traffic = await startTraffic(infra.kafka);

    const limit = 4;
    const org = await createOrganization(infra.db, { seatLimits: { [FULL]: limit } });
    const ids = usersSpreadOverPartitions(org._id, limit * 2);
    const changes = ids.map((id) => userChanged(org._id, 1, snapshot(id, { userType: FULL })));
    const partitions = await traffic.produce(...changes);
    expect(new Set(partitions).size).toBe(PARTITIONS);

    const answers = await Promise.all(changes.map((c) => traffic.outcomeOf(c)));
    const succeeded = answers.filter((a) => a.data.result === 'succeeded');
    const rejected = answers.filter((a) => a.data.result === 'rejected');
    expect(succeeded).toHaveLength(limit);
    expect(rejected).toHaveLength(ids.length - limit);
    for (const answer of rejected) {
      expect(answer.data.reason).toEqual({
        code: 'seat_limit_reached',
        message: seatLimitMessage(FULL, limit, limit),
      });
      expect(answer.data.state).toEqual({ step: 'licensing', license: null, role: 'member' });
    }
    expect(await seatsOf(org._id)).toEqual({ [FULL]: limit });
    expect(await holders(org._id, FULL)).toBe(limit);
    expect(await licenses().countDocuments({ tenant: org._id, license: null, requestedLicense: FULL })).toBe(
      ids.length - limit,
    );
  });

  it('concurrent claims through separate connections never exceed the limit (create and license change)', async () => {
    const limit = 5;
    const org = await createOrganization(infra.db, { seatLimits: { [FULL]: limit } });
    const settings: LicensingSettings = { defaultLicense: org.defaultLicense, seatLimits: org.seatLimits };
    const clients = await Promise.all(
      Array.from({ length: REPLICAS }, async () => {
        const client = new MongoClient(infra.store.url);
        await client.connect();
        return client;
      }),
    );
    const stores = clients.map((c) => new LicensingStore(c, c.db(infra.database)));
    const users = Array.from({ length: limit * 3 }, () => newUserId());
    try {
      // Everyone starts on the default license, then all ask for a full seat at once.
      const created = await Promise.all(
        users.map((id, i) =>
          applyOne(
            stores[i % stores.length]!,
            {
              tenant: org._id,
              commandId: `c-${id}`,
              sequence: 1,
              time: systemClock.now(),
              user: snapshot(id),
            },
            settings,
          ),
        ),
      );
      expect(created.every((r) => r.outcome.result === 'succeeded')).toBe(true);
      const changed = await Promise.all(
        users.map((id, i) =>
          applyOne(
            stores[(i + 1) % stores.length]!,
            {
              tenant: org._id,
              commandId: `u-${id}`,
              sequence: 2,
              time: systemClock.now(),
              user: snapshot(id, { userType: FULL }),
            },
            settings,
          ),
        ),
      );
      const granted = changed.filter((r) => r.outcome.result === 'succeeded');
      expect(granted).toHaveLength(limit);
      expect(changed.filter((r) => r.outcome.result === 'rejected')).toHaveLength(users.length - limit);
      for (const r of changed)
        expect(r.outcome.license).toBe(r.outcome.result === 'succeeded' ? FULL : org.defaultLicense);
      expect(await seatsOf(org._id)).toEqual({ [FULL]: limit, [org.defaultLicense]: users.length - limit });
      expect(await holders(org._id, FULL)).toBe(limit);
      expect(await holders(org._id, org.defaultLicense)).toBe(users.length - limit);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('a batch decides each change on what the changes before it left: the limit holds within the batch, a user changed twice ends as the last change says', async () => {
    const limit = 2;
    const org = await createOrganization(infra.db, { seatLimits: { [FULL]: limit } });
    const settings: LicensingSettings = { defaultLicense: org.defaultLicense, seatLimits: org.seatLimits };
    const store = new LicensingStore(infra.mongo, infra.db);
    const [ada, grace, alan] = [newUserId(), newUserId(), newUserId()];
    const change = (id: string, sequence: number, user = snapshot(id, { userType: FULL })) => ({
      change: { tenant: org._id, commandId: `c-${id}-${sequence}`, sequence, time: systemClock.now(), user },
      org: settings,
    });
    const results = await store.apply(
      [
        change(ada, 1),
        change(grace, 1),
        change(alan, 1),
        // ada leaves within the same batch: her full seat is free again at the end of it.
        change(ada, 2, snapshot(ada, { userType: FULL, active: false })),
      ],
      systemClock,
    );
    expect(results.map((r) => r.outcome.result)).toEqual(['succeeded', 'succeeded', 'rejected', 'succeeded']);
    expect(results.map((r) => r.outcome.license)).toEqual([FULL, FULL, null, null]);
    expect(await seatsOf(org._id)).toEqual({ [FULL]: 1 });
    expect(await licenses().findOne({ _id: ada })).toMatchObject({
      sequence: 2,
      license: null,
      active: false,
    });
    // The whole batch again (a redelivery): the same outcomes, nothing moves.
    const again = await store.apply([change(ada, 1), change(grace, 1), change(alan, 1)], systemClock);
    expect(again.every((r) => r.redelivery)).toBe(true);
    expect(await seatsOf(org._id)).toEqual({ [FULL]: 1 });
  });

  it('a crash between the seat write and the license write leaks no seat; the redelivery repairs', async () => {
    const org = await createOrganization(infra.db, { seatLimits: { [FULL]: 1 } });
    const settings: LicensingSettings = { defaultLicense: org.defaultLicense, seatLimits: org.seatLimits };
    const crashing = new LicensingStore(infra.mongo, infra.db, {
      beforeCommit: () => {
        throw new Error('process killed');
      },
    });
    const store = new LicensingStore(infra.mongo, infra.db);
    const id = newUserId();
    const create = {
      tenant: org._id,
      commandId: 'c1',
      sequence: 1,
      time: systemClock.now(),
      user: snapshot(id),
    };
    const upgrade = { ...create, commandId: 'c2', sequence: 2, user: snapshot(id, { userType: FULL }) };

    await expect(applyOne(crashing, create, settings)).rejects.toThrow('process killed');
    expect(await licenses().findOne({ _id: id })).toBeNull();
    expect(await seatsOf(org._id)).toEqual({});

    expect((await applyOne(store, create, settings)).outcome.license).toBe(org.defaultLicense);
    await expect(applyOne(crashing, upgrade, settings)).rejects.toThrow('process killed');
    expect(await licenses().findOne({ _id: id })).toMatchObject({ sequence: 1, license: org.defaultLicense });
    expect(await seatsOf(org._id)).toEqual({ [org.defaultLicense]: 1 });

    const redelivered = await applyOne(store, upgrade, settings);
    expect(redelivered).toMatchObject({ redelivery: false, outcome: { result: 'succeeded', license: FULL } });
    expect(await applyOne(store, upgrade, settings)).toMatchObject({
      redelivery: true,
      outcome: redelivered.outcome,
    });
    expect(await seatsOf(org._id)).toEqual({ [org.defaultLicense]: 0, [FULL]: 1 });
  });

  it('a crash after the commit but before the outcome is published republishes the same outcome', async () => {
    const org = await createOrganization(infra.db, {});
    const store = new LicensingStore(infra.mongo, infra.db);
    const real: Publisher = await createPublisher(infra.kafka);
    let failures = 1;
    const flaky: Pick<Publisher, 'publish'> = {
      async publish(topic, messages) {
        if (failures-- > 0) throw new Error('connection lost before publishing');
        await real.publish(topic, messages);
      },
    };
    const deps = {
      store,
      organizations: { get: async () => org },
      publisher: flaky,
      log: quietLog(),
      clock: systemClock,
    };
    const change: UserChanged = userChanged(org._id, 1, snapshot(newUserId(), { organizationAdmin: true }));
    try {
      await expect(handleUserChanges(deps, [change])).rejects.toThrow('connection lost');
      expect(await seatsOf(org._id)).toEqual({ [org.defaultLicense]: 1 });
      await handleUserChanges(deps, [change]);
      const outcome = await traffic.outcomeOf(change);
      expect(outcome.data).toMatchObject({
        result: 'succeeded',
        state: { license: org.defaultLicense, role: 'organization-admin' },
      });
      expect(await seatsOf(org._id)).toEqual({ [org.defaultLicense]: 1 });
      expect(await licenses().findOne({ _id: change.data.user.id })).toMatchObject({
        adminSince: change.time,
      });
    } finally {
      await real.close();
    }
  });
});
