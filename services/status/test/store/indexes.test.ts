/**
 * The directory's indexes on an upgraded deployment (the embedded store, the mongodb driver):
 * externalId loses its uniqueness, group displayName gains it, and a deployment already holding
 * duplicate group names keeps working until they are resolved.
 */
import { randomUUID } from 'node:crypto';
import {
  GROUP_MEMBERS_COLLECTION,
  GROUPS_COLLECTION,
  type GroupDocument,
  USERS_COLLECTION,
  type UserDocument,
} from '@roster/contracts';
import { startStore } from '@roster/embedded-mongo';
import { createLogger } from '@roster/service-kit';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GroupsDirectory } from '../../src/store/groups.ts';
import { UsersDirectory } from '../../src/store/users.ts';

let closeStore: () => Promise<void>;
let client: MongoClient;

beforeAll(async () => {
  const server = await startStore({ port: 0 });
  closeStore = server.close;
  client = new MongoClient(server.url);
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await closeStore?.();
});

const freshDb = (): Db => client.db(`indexes_${randomUUID().slice(0, 8)}`);
const indexNamed = async (db: Db, collection: string, name: string) =>
  (await db.collection(collection).listIndexes().toArray()).find((index) => index.name === name);

const user = (id: string, externalId: string): UserDocument => ({
  _id: id,
  tenant: 'org-1',
  userNameKey: `${id}@x.com`,
  resource: { userName: `${id}@x.com`, active: true, externalId },
  scimDeleted: false,
  meta: { created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z', version: 1 },
});

const group = (id: string, displayName: string): GroupDocument => ({
  _id: id,
  tenant: 'org-1',
  resource: { displayName },
  memberCount: 0,
  meta: { created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z', version: 1 },
});

test('an earlier unique externalId index is replaced by a plain one: users may share an externalId', async () => {
  const db = freshDb();
  const users = db.collection<UserDocument>(USERS_COLLECTION);
  await users.createIndex(
    { tenant: 1, 'resource.externalId': 1 },
    {
      name: 'tenant_externalId',
      unique: true,
      partialFilterExpression: { 'resource.externalId': { $exists: true } },
    },
  );
  await users.insertOne(user('u-1', 'shared'));

  await new UsersDirectory(db).ensureIndexes();
  expect(await indexNamed(db, USERS_COLLECTION, 'tenant_externalId')).not.toHaveProperty('unique');
  await users.insertOne(user('u-2', 'shared'));
  expect(await users.countDocuments({ 'resource.externalId': 'shared' })).toBe(2);
  // A second start finds the plain index and keeps it.
  await new UsersDirectory(db).ensureIndexes();
  expect(await indexNamed(db, USERS_COLLECTION, 'tenant_userName')).toMatchObject({ unique: true });
});

test('group displayName becomes unique; duplicates from before keep a plain index until resolved', async () => {
  const db = freshDb();
  const groups = db.collection<GroupDocument>(GROUPS_COLLECTION);
  await groups.createIndex({ tenant: 1, 'resource.displayName': 1 }, { name: 'tenant_displayName' });
  await groups.insertMany([group('g-1', 'Sales'), group('g-2', 'Sales')]);
  const directory = () => new GroupsDirectory(db, createLogger('status-test', 'silent'));

  await directory().ensureIndexes();
  expect(await indexNamed(db, GROUPS_COLLECTION, 'tenant_displayName')).not.toHaveProperty('unique');

  await groups.deleteOne({ _id: 'g-2' });
  await directory().ensureIndexes();
  expect(await indexNamed(db, GROUPS_COLLECTION, 'tenant_displayName')).toMatchObject({ unique: true });
  await expect(groups.insertOne(group('g-3', 'Sales'))).rejects.toMatchObject({ code: 11000 });
  await groups.insertOne(group('g-4', 'sales'));
});

test('members kept inside group documents by earlier versions are moved to their own documents at start', async () => {
  const db = freshDb();
  const groups = db.collection<{ _id: string }>(GROUPS_COLLECTION);
  const legacy = {
    ...group('g-1', 'Sales'),
    resource: { displayName: 'Sales', members: [{ value: 'u-1' }, { value: 'u-2' }] },
  };
  await groups.insertOne(legacy);
  const directory = new GroupsDirectory(db, createLogger('status-test', 'silent'));

  await directory.ensureIndexes();
  expect(await groups.findOne({ _id: 'g-1' })).toMatchObject({
    resource: { displayName: 'Sales' },
    memberCount: 2,
  });
  expect(await groups.findOne({ _id: 'g-1', 'resource.members': { $exists: true } })).toBeNull();
  expect(await directory.membersAmong('org-1', 'g-1', ['u-1', 'u-2', 'u-3'])).toEqual(
    new Set(['u-1', 'u-2']),
  );
  // A second start finds nothing left to move.
  await directory.ensureIndexes();
  expect(await db.collection(GROUP_MEMBERS_COLLECTION).countDocuments({ groupId: 'g-1' })).toBe(2);
});
