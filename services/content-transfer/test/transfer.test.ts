import { randomUUID } from 'node:crypto';
import { envelope, partitionKey, TOPICS, toKafkaRecord } from '@roster/contracts';
import { createLogger } from '@roster/service-kit';
import { PARTITIONS, waitFor } from '@roster/service-kit/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.ts';
import {
  CONTENT_TRANSFER_GROUP_ID,
  type RunningContentTransfer,
  startContentTransfer,
} from '../src/service.ts';
import { type Infra, startInfra, stateOf, TestUser } from './support.ts';

const BATCH_SIZE = 25;

let infra: Infra;
let service: RunningContentTransfer;

const ADMIN_TOKEN = randomUUID();
/** The seeding endpoint takes the admin token, as the ingress forwards it. */
const SEEDING_HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  infra = await startInfra();
  const config = loadConfig({
    KAFKA_BROKERS: infra.brokers,
    MONGO_URL: infra.mongoUrl,
    ROSTER_MONGO_DATABASE: infra.database,
    ROSTER_TOPIC_PARTITIONS: String(PARTITIONS),
    ROSTER_CONTENT_BATCH_SIZE: String(BATCH_SIZE),
    ROSTER_DEV_MODE: 'true',
    ROSTER_ADMIN_TOKEN: ADMIN_TOKEN,
    ROSTER_CONSUMER_SESSION_TIMEOUT_MS: '6000',
  });
  service = await startContentTransfer(config, createLogger('content-transfer', 'warn'));
  await service.ready;
});

afterAll(async () => {
  await service?.stop();
  await infra?.close();
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/** An org with admins promoted at known times (oldest first) and a departing user. */
const orgWithAdmins = async (adminCount: number) => {
  const tenant = `org-${randomUUID().slice(0, 8)}`;
  const admins: TestUser[] = [];
  for (let i = 0; i < adminCount; i++) {
    const admin = new TestUser(tenant, `admin${i}`, { organizationAdmin: true });
    await infra.apply(admin.change('provisioned', {}, minutesAgo(60 - i)));
    admins.push(admin);
  }
  return { tenant, admins };
};

const ownedBy = (tenant: string, ownerUserId: string, folder?: string | null) =>
  infra.items.countDocuments({ tenant, ownerUserId, ...(folder === undefined ? {} : { folder }) });

describe('deactivation', () => {
  test('moves every item, in batches, to the oldest admin into the folder named with the email', async () => {
    const { tenant, admins } = await orgWithAdmins(2);
    // The departing user is the oldest admin of all: they are never their own target.
    const departing = new TestUser(tenant, 'departing', { organizationAdmin: true });
    await infra.apply(departing.change('provisioned', {}, minutesAgo(120)));
    const total = BATCH_SIZE * 4 + 7;
    const seeded = await infra.seedItems(tenant, departing.id, total);
    const alreadyFoldered = seeded.filter((i) => i.folder !== null).length;
    const bystander = new TestUser(tenant, 'bystander');
    await infra.apply(bystander.change('provisioned'));
    await infra.seedItems(tenant, bystander.id, 3);

    const deactivation = departing.change('deactivated', { active: false });
    await infra.send(deactivation);
    const done = await infra.waitForOutcome(deactivation, 'done');
    const oldest = admins[0]!;
    expect(stateOf(done)).toEqual({
      step: 'content-transfer',
      state: 'done',
      toUserId: oldest.id,
      folder: departing.snapshot.email,
      itemsMoved: total,
    });
    expect(done.data).toMatchObject({
      result: 'succeeded',
      step: 'content-transfer',
      resource: { type: 'User', id: departing.id, sequence: deactivation.data.sequence },
    });
    expect(done).toMatchObject({
      source: '/roster/content-transfer',
      tenant,
      subject: departing.id,
      correlationid: deactivation.correlationid,
      causationid: deactivation.id,
    });
    expect(await ownedBy(tenant, departing.id)).toBe(0);
    expect(await ownedBy(tenant, oldest.id, departing.snapshot.email)).toBe(total);
    expect(await ownedBy(tenant, oldest.id)).toBe(total);
    expect(await ownedBy(tenant, admins[1]!.id)).toBe(0);
    expect(await ownedBy(tenant, bystander.id)).toBe(3);
    const transfer = await infra.transfers.findOne({ tenant, userId: departing.id });
    expect(transfer).toMatchObject({ state: 'done', itemsMoved: total, toUserId: oldest.id, lease: null });
    expect(await infra.items.countDocuments({ 'transfer.id': transfer!._id })).toBe(total);
    // the former folder is kept on the stamp
    expect(
      await infra.items.countDocuments({ 'transfer.id': transfer!._id, 'transfer.fromFolder': 'Projects' }),
    ).toBe(alreadyFoldered);
    // more than one batch: the transfer reported in_progress before done
    const states = infra.outcomesOf(deactivation.data.commandId).map((o) => stateOf(o)?.state);
    expect(states.at(-1)).toBe('done');
    expect(states).toContain('in_progress');
  });

  test('a redelivered deactivation and a second deactivation (SCIM DELETE) change nothing', async () => {
    const { tenant, admins } = await orgWithAdmins(1);
    const departing = new TestUser(tenant, 'twice');
    await infra.apply(departing.change('provisioned'));
    const total = BATCH_SIZE + 1;
    await infra.seedItems(tenant, departing.id, total);
    const deactivation = departing.change('deactivated', { active: false });
    await infra.send(deactivation);
    await infra.waitForOutcome(deactivation, 'done');
    const before = await infra.items.find({ tenant }).sort({ _id: 1 }).toArray();

    // the very same message again (a redelivery): the outcome is re-published from stored state
    const outcomesBefore = infra.outcomesOf(deactivation.data.commandId).length;
    await infra.send(deactivation);
    await waitFor(
      () => (infra.outcomesOf(deactivation.data.commandId).length > outcomesBefore ? true : undefined),
      { what: 're-published outcome' },
    );
    const deletion = departing.change('deactivated', { scimDeleted: true });
    const second = await infra.apply(deletion);
    expect(stateOf(second)).toEqual({
      step: 'content-transfer',
      state: 'done',
      toUserId: admins[0]!.id,
      folder: departing.snapshot.email,
      itemsMoved: total,
    });
    const redelivered = infra.outcomesOf(deactivation.data.commandId).at(-1);
    expect(stateOf(redelivered)).toMatchObject({ state: 'done', itemsMoved: total });
    expect(await infra.items.find({ tenant }).sort({ _id: 1 }).toArray()).toEqual(before);
    expect(await infra.transfers.countDocuments({ tenant, userId: departing.id })).toBe(1);
  });

  test('after a reactivation, a new deactivation transfers what the user owns then (dev seeding endpoint)', async () => {
    const { tenant, admins } = await orgWithAdmins(1);
    const user = new TestUser(tenant, 'returning');
    await infra.apply(user.change('provisioned'));
    const first = BATCH_SIZE - 3;
    await infra.seedItems(tenant, user.id, first);
    const d1 = user.change('deactivated', { active: false });
    await infra.send(d1);
    await infra.waitForOutcome(d1, 'done');

    const back = await infra.apply(user.change('reactivated', { active: true }));
    // reactivation does not bring content back: the last transfer stays visible
    expect(stateOf(back)).toMatchObject({ state: 'done', itemsMoved: first });
    expect(await ownedBy(tenant, user.id)).toBe(0);

    const later = BATCH_SIZE + 5;
    for (let i = 0; i < later; i++) {
      const response = await fetch(`${service.url}/internal/content`, {
        method: 'POST',
        headers: SEEDING_HEADERS,
        body: JSON.stringify({ tenant, ownerUserId: user.id, title: `new ${i}` }),
      });
      expect(response.status).toBe(201);
    }
    const d2 = user.change('deactivated', { active: false });
    await infra.send(d2);
    const done = await infra.waitForOutcome(d2, 'done');
    expect(stateOf(done)).toMatchObject({ toUserId: admins[0]!.id, itemsMoved: later });
    expect(await ownedBy(tenant, user.id)).toBe(0);
    expect(await ownedBy(tenant, admins[0]!.id, user.snapshot.email)).toBe(first + later);
    const records = await infra.transfers.find({ tenant, userId: user.id }).sort({ sequence: 1 }).toArray();
    expect(records.map((r) => [r.sequence, r.state, r.itemsMoved])).toEqual([
      [d1.data.sequence, 'done', first],
      [d2.data.sequence, 'done', later],
    ]);
  });
});

describe('no active admin', () => {
  test('the transfer waits (pending_admin) and completes once someone becomes an active admin', async () => {
    const tenant = `org-${randomUUID().slice(0, 8)}`;
    const departing = new TestUser(tenant, 'leaver');
    const future = new TestUser(tenant, 'future-admin');
    await infra.apply(departing.change('provisioned'));
    await infra.apply(future.change('provisioned'));
    const total = BATCH_SIZE * 2 + 3;
    await infra.seedItems(tenant, departing.id, total);

    const deactivation = departing.change('deactivated', { active: false });
    await infra.send(deactivation);
    const waiting = await infra.waitForOutcome(deactivation, 'pending_admin');
    expect(waiting.data.result).toBe('succeeded');
    expect(stateOf(waiting)).toEqual({
      step: 'content-transfer',
      state: 'pending_admin',
      folder: departing.snapshot.email,
      itemsMoved: 0,
    });
    expect(await ownedBy(tenant, departing.id)).toBe(total);

    // an unrelated change does not help: still nobody to transfer to
    await infra.apply(future.change('updated', { userName: `renamed-${future.id}` }));
    expect((await infra.transfers.findOne({ tenant, userId: departing.id }))?.state).toBe('pending_admin');

    const promotion = future.change('updated', { organizationAdmin: true });
    await infra.send(promotion);
    const done = await infra.waitForOutcome(deactivation, 'done');
    expect(stateOf(done)).toEqual({
      step: 'content-transfer',
      state: 'done',
      toUserId: future.id,
      folder: departing.snapshot.email,
      itemsMoved: total,
    });
    // the resumed transfer's outcome answers the original deactivation
    expect(done.data.resource.sequence).toBe(deactivation.data.sequence);
    expect(done.correlationid).toBe(deactivation.correlationid);
    expect(await ownedBy(tenant, future.id, departing.snapshot.email)).toBe(total);
    expect(await ownedBy(tenant, departing.id)).toBe(0);
    // the promotion itself is answered too (no transfer of their own)
    const own = await infra.waitForOutcome(promotion, 'none');
    expect(stateOf(own)).toEqual({ step: 'content-transfer', state: 'none', itemsMoved: 0 });
  });

  test('a reactivation while waiting cancels the transfer: the content stays with the user', async () => {
    const tenant = `org-${randomUUID().slice(0, 8)}`;
    const user = new TestUser(tenant, 'undecided');
    await infra.apply(user.change('provisioned'));
    await infra.seedItems(tenant, user.id, 4);
    const deactivation = user.change('deactivated', { active: false });
    await infra.send(deactivation);
    await infra.waitForOutcome(deactivation, 'pending_admin');
    const back = await infra.apply(user.change('reactivated', { active: true }));
    expect(stateOf(back)).toEqual({ step: 'content-transfer', state: 'none', itemsMoved: 0 });

    const admin = new TestUser(tenant, 'late-admin', { organizationAdmin: true });
    await infra.apply(admin.change('provisioned'));
    expect(await ownedBy(tenant, user.id)).toBe(4);
    expect((await infra.transfers.findOne({ tenant, userId: user.id }))?.state).toBe('cancelled');
  });
});

describe('changes fetched together', () => {
  test('are each answered as they would be one by one: plain changes together, a deactivation in its turn', async () => {
    const tenant = `org-${randomUUID().slice(0, 8)}`;
    const leaver = new TestUser(tenant, 'leaver');
    await infra.apply(leaver.change('provisioned'));
    await infra.seedItems(tenant, leaver.id, 5);
    const [newcomer, admin] = [new TestUser(tenant, 'newcomer'), new TestUser(tenant, 'admin')];
    // One request: the service fetches them together (in one batch or a few).
    const changes = [
      newcomer.change('provisioned'),
      admin.change('provisioned', { organizationAdmin: true }, minutesAgo(5)),
      leaver.change('deactivated', { active: false }),
      newcomer.change('updated', { userName: `renamed-${newcomer.id}` }),
      newcomer.change('updated', { organizationAdmin: true }),
    ];
    await infra.send(...changes);
    const deactivation = changes[2]!;
    const done = await infra.waitForOutcome(deactivation, 'done');
    expect(stateOf(done)).toMatchObject({ state: 'done', toUserId: admin.id, itemsMoved: 5 });
    for (const change of changes.filter((c) => c !== deactivation))
      expect(stateOf(await infra.waitForOutcome(change, 'none'))).toEqual({
        step: 'content-transfer',
        state: 'none',
        itemsMoved: 0,
      });
    expect(await ownedBy(tenant, admin.id, leaver.snapshot.email)).toBe(5);
    // The projection holds the newest change of each user.
    const projected = await infra.db
      .collection('content_users')
      .find({ tenant }, { projection: { _id: 0, userId: 1, sequence: 1, active: 1, organizationAdmin: 1 } })
      .toArray();
    expect(projected.sort((a, b) => String(a.userId).localeCompare(String(b.userId)))).toEqual(
      [
        { userId: admin.id, sequence: 1, active: true, organizationAdmin: true },
        { userId: leaver.id, sequence: 2, active: false, organizationAdmin: false },
        { userId: newcomer.id, sequence: 3, active: true, organizationAdmin: true },
      ].sort((a, b) => a.userId.localeCompare(b.userId)),
    );
  });
});

describe('other messages', () => {
  test('a poison message is dead-lettered, a group change is ignored, and the partition keeps flowing', async () => {
    const tenant = `org-${randomUUID().slice(0, 8)}`;
    const user = new TestUser(tenant, 'after-poison');
    const key = partitionKey(tenant, user.id);
    const group = envelope(
      'roster.directory.group.changed.v2',
      { source: '/roster/status', tenant, subject: 'group-1', correlationid: randomUUID() },
      {
        commandId: randomUUID(),
        change: 'created',
        sequence: 1,
        group: { id: 'group-1', displayName: 'Marketing', memberCount: 1 },
        members: { kind: 'replaced', memberIds: [user.id] },
        awaits: [],
      },
    );
    await infra.producer.send({
      topic: TOPICS.directoryChanges.name,
      messages: [
        { key, value: 'not json at all' },
        { ...toKafkaRecord(group), key },
      ],
    });
    const after = await infra.apply(user.change('provisioned'));
    expect(stateOf(after)).toEqual({ step: 'content-transfer', state: 'none', itemsMoved: 0 });
    const letter = await waitFor(() => infra.deadLetters.find((l) => l.origin.key === key), {
      what: 'the dead letter',
    });
    expect(letter).toMatchObject({
      consumerGroup: CONTENT_TRANSFER_GROUP_ID,
      error: { kind: 'unparseable' },
      value: { encoding: 'utf8', data: 'not json at all' },
    });
    expect(infra.outcomesOf(group.data.commandId)).toEqual([]);
  });
});

describe('development seeding endpoint', () => {
  test('creates items (201) and validates input (400)', async () => {
    const tenant = `org-${randomUUID().slice(0, 8)}`;
    const created = await fetch(`${service.url}/internal/content`, {
      method: 'POST',
      headers: SEEDING_HEADERS,
      body: JSON.stringify({ tenant, ownerUserId: 'u1', title: 'Quarterly update', kind: 'video' }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      tenant,
      ownerUserId: 'u1',
      title: 'Quarterly update',
      kind: 'video',
      folder: null,
    });
    expect(await infra.items.findOne({ _id: body.id as string })).toMatchObject({ ownerUserId: 'u1' });

    const bulk = await fetch(`${service.url}/internal/content/bulk`, {
      method: 'POST',
      headers: SEEDING_HEADERS,
      body: JSON.stringify({
        tenant,
        items: [
          { ownerUserId: 'u1', title: 'a' },
          { ownerUserId: 'u1', title: 'b', kind: 'folder' },
        ],
      }),
    });
    expect(bulk.status).toBe(201);
    expect(((await bulk.json()) as { items: unknown[] }).items).toHaveLength(2);
    expect(await ownedBy(tenant, 'u1')).toBe(3);

    for (const invalid of [
      { tenant, ownerUserId: 'u1' },
      { tenant, ownerUserId: 'u1', title: 'x', kind: 'song' },
    ]) {
      const response = await fetch(`${service.url}/internal/content`, {
        method: 'POST',
        headers: SEEDING_HEADERS,
        body: JSON.stringify(invalid),
      });
      expect(response.status).toBe(400);
    }
  });

  test('refuses a request without the admin token (401)', async () => {
    const response = await fetch(`${service.url}/internal/content`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'any', ownerUserId: 'u1', title: 'x' }),
    });
    expect(response.status).toBe(401);
  });
});
