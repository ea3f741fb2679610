/**
 * Deciding and recording commands against the real (embedded) store, without Kafka: the guarded
 * write and the ledger entry commit in one transaction, a decision that lost a race is decided
 * again, and no acknowledged change is dropped.
 */
import { randomUUID } from 'node:crypto';
import {
  type Command,
  GROUP_MEMBERS_COLLECTION,
  type PatchOperation,
  SCHEMA,
  USERS_COLLECTION,
  type UserAttributes,
  type UserDocument,
} from '@roster/contracts';
import { startStore } from '@roster/embedded-mongo';
import { MESSAGE, normalizePatch } from '@roster/scim';
import { createLogger, OrganizationSettings, systemClock } from '@roster/service-kit';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decideCommand } from '../../src/handlers/ledger-entry.ts';
import { MAX_DECISIONS, type RecordDeps, recordDecision } from '../../src/handlers/record-decision.ts';
import { DecisionCommits } from '../../src/store/decision-commit.ts';
import { GroupsDirectory } from '../../src/store/groups.ts';
import { CommandLedger } from '../../src/store/ledger.ts';
import { StaleDecision } from '../../src/store/stale-decision.ts';
import { UsersDirectory } from '../../src/store/users.ts';
import { command, TENANT } from '../domain/commands.ts';

let closeStore: () => Promise<void>;
let client: MongoClient;
let db: Db;
let deps: RecordDeps;

beforeAll(async () => {
  const server = await startStore({ port: 0 });
  closeStore = server.close;
  client = new MongoClient(server.url);
  await client.connect();
  db = client.db(`decisions_${randomUUID().slice(0, 8)}`);
  const stores = {
    users: new UsersDirectory(db),
    groups: new GroupsDirectory(db, createLogger('status-test', 'silent')),
    ledger: new CommandLedger(db, undefined),
  };
  await Promise.all(Object.values(stores).map((store) => store.ensureIndexes()));
  deps = {
    ...stores,
    commits: new DecisionCommits(client, stores),
    organizations: new OrganizationSettings(db),
    awaits: [],
    clock: systemClock,
  };
});

afterAll(async () => {
  await client?.close();
  await closeStore?.();
});

const person = (userName: string, extra: Partial<UserAttributes> = {}): UserAttributes => ({
  userName,
  active: true,
  ...extra,
});
const create = (user: UserAttributes) => command('roster.command.user.create.v1', randomUUID(), { user });
const addEmail = (userId: string, value: string) =>
  command('roster.command.user.patch.v1', userId, {
    operations: [{ op: 'add', path: { schema: SCHEMA.user, attribute: 'emails' }, value: [{ value }] }],
  });
const deactivate = (userId: string) => command('roster.command.user.deactivate.v1', userId);
const createGroup = (displayName: string, ...memberIds: string[]) =>
  command('roster.command.group.create.v1', randomUUID(), {
    group: { displayName, members: memberIds.map((value) => ({ value })) },
  });
const renameGroup = (groupId: string, displayName: string) =>
  command('roster.command.group.patch.v1', groupId, {
    operations: [
      { op: 'replace', path: { schema: SCHEMA.group, attribute: 'displayName' }, value: displayName },
    ],
  });

const stored = (id: string) => db.collection<UserDocument>(USERS_COLLECTION).findOne({ _id: id });
const versionOf = (entry: { document?: { meta: { version: number } } }) => entry.document?.meta.version;

/** Decides without recording (what a delivery on another partition decided at the same moment). */
const decided = async (cmd: Command) => {
  const { entry, write } = await decideCommand(deps, cmd);
  if (!write) throw new Error(`expected ${cmd.type} to write`);
  return { entry, write };
};

describe('the guarded commit', () => {
  test('of two decisions against the same version only one commits; the other writes and records nothing', async () => {
    const user = await recordDecision(deps, create(person('ada@x.com')));
    const [first, second] = [addEmail(user.resourceId, 'one@x.com'), addEmail(user.resourceId, 'two@x.com')];
    const [a, b] = await Promise.all([decided(first), decided(second)]);
    await deps.commits.commit(a.entry, a.write);
    await expect(deps.commits.commit(b.entry, b.write)).rejects.toBeInstanceOf(StaleDecision);
    expect(await deps.ledger.find(second.id)).toBeNull();
    expect(await stored(user.resourceId)).toMatchObject({
      meta: { version: 2 },
      resource: { emails: [{ value: 'one@x.com' }] },
    });
  });

  test('a batch of user writes, one of them stale, commits nothing of the batch', async () => {
    const user = await recordDecision(deps, create(person('linus@x.com')));
    const [a, b] = await Promise.all([
      decided(addEmail(user.resourceId, 'one@x.com')),
      decided(addEmail(user.resourceId, 'two@x.com')),
    ]);
    await deps.commits.commit(a.entry, a.write);
    const fresh = await decided(create(person('margaret@x.com')));
    await expect(
      deps.commits.commitAll([fresh.entry, b.entry], [fresh.write, b.write]),
    ).rejects.toBeInstanceOf(StaleDecision);
    expect(await stored(fresh.entry.resourceId)).toBeNull();
    expect(await deps.ledger.find(fresh.entry._id)).toBeNull();
  });

  test('a create whose userName another create took meanwhile writes and records nothing', async () => {
    const [first, second] = [create(person('grace@x.com')), create(person('Grace@x.com'))];
    const [a, b] = await Promise.all([decided(first), decided(second)]);
    await deps.commits.commit(a.entry, a.write);
    await expect(deps.commits.commit(b.entry, b.write)).rejects.toBeInstanceOf(StaleDecision);
    expect(await stored(second.subject)).toBeNull();
    expect(await deps.ledger.find(second.id)).toBeNull();
  });

  test('a group removal decided against an older version writes nothing', async () => {
    const group = await recordDecision(deps, createGroup('Removal'));
    const removal = await decided(command('roster.command.group.delete.v1', group.resourceId));
    await recordDecision(deps, renameGroup(group.resourceId, 'Removal, renamed'));
    await expect(deps.commits.commit(removal.entry, removal.write)).rejects.toBeInstanceOf(StaleDecision);
    expect(await deps.groups.byId(TENANT, group.resourceId)).toMatchObject({ version: 2 });
  });
});

describe('a decision that lost a race is decided again', () => {
  test('a create losing its userName to an identical create answers with the user that won', async () => {
    const [a, b] = await Promise.all([
      recordDecision(deps, create(person('alan@x.com'))),
      recordDecision(deps, create(person('alan@x.com'))),
    ]);
    expect([a.response.status, b.response.status]).toEqual([201, 201]);
    expect(b.resourceId).toBe(a.resourceId);
    expect(await db.collection(USERS_COLLECTION).countDocuments({ userNameKey: 'alan@x.com' })).toBe(1);
  });

  test('a create losing its userName to a different create is a uniqueness conflict', async () => {
    const results = await Promise.all([
      recordDecision(deps, create(person('edsger@x.com', { title: 'one' }))),
      recordDecision(deps, create(person('edsger@x.com', { title: 'two' }))),
    ]);
    expect(results.map((r) => r.response.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.response.status === 409)?.response.error).toMatchObject({
      scimType: 'uniqueness',
    });
  });

  test('concurrent changes of one user all land or are refused, each at a version of its own', async () => {
    // finding 3: concurrent decisions against one version both answered it + 1; one write was dropped
    const user = await recordDecision(deps, create(person('barbara@x.com')));
    const emails = Array.from({ length: 8 }, (_, i) => `b${i}@x.com`);
    const results = await Promise.all(
      emails.map((email) => recordDecision(deps, addEmail(user.resourceId, email))),
    );
    const accepted = results.filter((r) => r.response.status === 200);
    const refused = results.filter((r) => r.response.status !== 200);
    for (const r of refused)
      expect(r.response).toMatchObject({
        status: 409,
        error: { detail: expect.stringContaining(`${MAX_DECISIONS} attempts`) },
      });
    const versions = accepted.map(versionOf);
    expect(new Set(versions).size).toBe(accepted.length);
    const final = await stored(user.resourceId);
    expect(final?.meta.version).toBe(1 + accepted.length);
    const landed = (final?.resource.emails ?? []).map((e) => e.value).sort();
    const acknowledged = emails.filter((_, i) => results[i]!.response.status === 200).sort();
    expect(landed).toEqual(acknowledged);
    // The version is the witness: each answer shows the emails of the changes before it and its own.
    for (const r of accepted) {
      const answered = (r.document as UserDocument).resource.emails ?? [];
      expect(answered).toHaveLength(versionOf(r)! - 1);
    }
  });

  test('a reactivating create and a concurrent change of the same user both land', async () => {
    const user = await recordDecision(deps, create(person('kurt@x.com', { title: 'before' })));
    await recordDecision(deps, deactivate(user.resourceId));
    const [returning, change] = await Promise.all([
      recordDecision(deps, create(person('kurt@x.com', { title: 'returning' }))),
      recordDecision(deps, addEmail(user.resourceId, 'kurt@x.com')),
    ]);
    expect(returning).toMatchObject({ resourceId: user.resourceId, response: { status: 201 } });
    expect(change.response.status).toBe(200);
    expect(versionOf(returning)).not.toBe(versionOf(change));
    const final = await stored(user.resourceId);
    expect(final?.meta.version).toBe(Math.max(versionOf(returning)!, versionOf(change)!));
    expect(final?.resource.active).toBe(true);
    // The create replaces the attributes: the email survives only if the change came after it.
    const changeLast = versionOf(change)! > versionOf(returning)!;
    expect(final?.resource.emails?.map((e) => e.value)).toEqual(changeLast ? ['kurt@x.com'] : undefined);
    expect(final?.resource.title).toBe('returning');
  });

  test('two deliveries of one command at once record one decision and write once', async () => {
    const user = await recordDecision(deps, create(person('alonzo@x.com')));
    const change = addEmail(user.resourceId, 'alonzo@x.com');
    const [a, b] = await Promise.all([recordDecision(deps, change), recordDecision(deps, change)]);
    expect(b).toEqual(a);
    expect(await stored(user.resourceId)).toMatchObject({ meta: { version: 2 } });
  });

  test('identical group creates at once make one group; both answer with it', async () => {
    const [a, b] = await Promise.all([
      recordDecision(deps, createGroup('Sales')),
      recordDecision(deps, createGroup('Sales')),
    ]);
    expect([a.response.status, b.response.status]).toEqual([201, 201]);
    expect(b.resourceId).toBe(a.resourceId);
    expect(await db.collection('groups').countDocuments({ 'resource.displayName': 'Sales' })).toBe(1);
  });

  test('displayName is compared exactly: "sales" is another group than "Sales"', async () => {
    const upper = await recordDecision(deps, createGroup('Support'));
    const lower = await recordDecision(deps, createGroup('support'));
    expect(lower.response.status).toBe(201);
    expect(lower.resourceId).not.toBe(upper.resourceId);
    const renamed = await recordDecision(deps, renameGroup(lower.resourceId, 'Support'));
    expect(renamed.response).toMatchObject({ status: 409, error: { scimType: 'uniqueness' } });
  });
});

describe('group members are documents of their own, written by the decision that changes them', () => {
  const memberIds = async (groupId: string) =>
    (await db.collection(GROUP_MEMBERS_COLLECTION).find({ tenant: TENANT, groupId }).toArray())
      .map((m) => m.userId)
      .sort();
  const users = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push((await recordDecision(deps, create(person(`m-${randomUUID()}@x.com`)))).resourceId);
    return ids;
  };
  const membersPath = { schema: SCHEMA.group, attribute: 'members' };
  const patchMembers = (groupId: string, operations: PatchOperation[]) =>
    recordDecision(deps, command('roster.command.group.patch.v1', groupId, { operations }));

  test('create, add, remove by value, replace and delete leave exactly the members decided', async () => {
    const [a, b, c] = await users(3);
    const group = await recordDecision(deps, createGroup('Members', a!, b!));
    expect(await memberIds(group.resourceId)).toEqual([a, b].sort());

    await patchMembers(group.resourceId, [{ op: 'add', path: membersPath, value: [{ value: c }] }]);
    const removeA = normalizePatch(
      { schemas: [MESSAGE.patchOp], Operations: [{ op: 'Remove', path: 'members', value: [{ value: a }] }] },
      'Group',
    );
    await patchMembers(group.resourceId, removeA);
    expect(await memberIds(group.resourceId)).toEqual([b, c].sort());
    expect(await deps.groups.byId(TENANT, group.resourceId)).toMatchObject({ memberCount: 2, version: 3 });

    await recordDecision(
      deps,
      command('roster.command.group.replace.v1', group.resourceId, {
        group: { displayName: 'Members', members: [{ value: a! }] },
      }),
    );
    expect(await memberIds(group.resourceId)).toEqual([a]);

    await recordDecision(deps, command('roster.command.group.delete.v1', group.resourceId));
    expect(await memberIds(group.resourceId)).toEqual([]);
  });

  test('a PATCH refused (an unknown member) writes no member', async () => {
    const [a] = await users(1);
    const group = await recordDecision(deps, createGroup('Refused', a!));
    const refused = await patchMembers(group.resourceId, [
      { op: 'add', path: membersPath, value: [{ value: 'ghost' }] },
    ]);
    expect(refused.response).toMatchObject({ status: 400, error: { scimType: 'invalidValue' } });
    expect(await memberIds(group.resourceId)).toEqual([a]);
  });

  test('an identical repeat of a create is told by the members of the group holding the name', async () => {
    const [a, b] = await users(2);
    const first = await recordDecision(deps, createGroup('Repeat', a!, b!));
    expect((await recordDecision(deps, createGroup('Repeat', b!, a!))).resourceId).toBe(first.resourceId);
    expect((await recordDecision(deps, createGroup('Repeat', a!))).response).toMatchObject({ status: 409 });
  });
});
