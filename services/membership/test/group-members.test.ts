import { randomUUID } from 'node:crypto';
import { WORKSPACE_MEMBERS_COLLECTION, type WorkspaceMemberDocument } from '@roster/contracts';
import { createOrganization, snapshot } from '@roster/service-kit/testing';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerDeps } from '../src/handlers/deps.ts';
import { handleGroupChanged } from '../src/handlers/group-changed.ts';
import { handleUserChanges } from '../src/handlers/user-changed.ts';
import {
  CONVERGE_BATCH,
  GROUP_MEMBERS_COLLECTION,
  GROUPS_PROJECTION_COLLECTION,
  type GroupMemberDoc,
  MembershipStore,
  USERS_PROJECTION_COLLECTION,
  type UserDoc,
} from '../src/store/membership.ts';
import {
  createWorkspace,
  delta,
  groupChanged,
  type HandlerSetup,
  type Infra,
  quietLog,
  replaced,
  startHandlerSetup,
  startInfra,
  userChanged,
} from './helpers.ts';

/** A store whose first member write waits until released: a consumer SIGSTOPped mid-change. */
class StalledStore extends MembershipStore {
  readonly paused: Promise<void>;
  release = () => {};
  #pause = () => {};
  #gate: Promise<void> | undefined;

  constructor(db: Db) {
    super(db);
    this.paused = new Promise((resolve) => {
      this.#pause = resolve;
    });
    this.#gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  override async writeGroupMembers(...args: Parameters<MembershipStore['writeGroupMembers']>) {
    const gate = this.#gate;
    this.#gate = undefined;
    if (gate) {
      this.#pause();
      await gate;
    }
    return super.writeGroupMembers(...args);
  }
}

let infra: Infra;
let setup: HandlerSetup;
let store: MembershipStore;
let deps: HandlerDeps;

beforeAll(async () => {
  infra = await startInfra();
  setup = await startHandlerSetup(infra, 'membership-group-members-test');
  store = new MembershipStore(setup.mongo.db);
  await store.ensureIndexes();
  deps = { store, publisher: setup.publisher, log: quietLog() };
});

afterAll(async () => {
  await setup?.close();
  await infra?.close();
});

const workspaceMembers = () => infra.db.collection<WorkspaceMemberDocument>(WORKSPACE_MEMBERS_COLLECTION);
const workspaceIdsOf = async (tenant: string, userId: string) =>
  (await workspaceMembers().find({ tenant, userId }).toArray()).map((m) => m.workspaceId);
const membersOfWorkspace = async (tenant: string, workspaceId: string) =>
  (await workspaceMembers().find({ tenant, workspaceId }).toArray()).map((m) => m.userId).sort();
const groupMemberDocs = () => infra.db.collection<GroupMemberDoc>(GROUP_MEMBERS_COLLECTION);
const memberDocsOf = (tenant: string, groupId: string) =>
  groupMemberDocs().find({ tenant, groupId }).sort({ userId: 1 }).toArray();
const resources = (correlationid: string, count: number) =>
  setup.log
    .wait(correlationid, count)
    .then((outcomes) => outcomes.map((o) => `${o.data.resource.type}:${o.data.resource.id}`).sort());

const provision = async (tenant: string, ids: string[]) => {
  for (let i = 0; i < ids.length; i += CONVERGE_BATCH)
    await handleUserChanges(
      deps,
      ids.slice(i, i + CONVERGE_BATCH).map((id) => userChanged(tenant, 1, snapshot(id))),
    );
};

describe('group members stored apart', () => {
  it('adding one member to a group of 5,000 writes, bumps and converges that member only', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const everyone = await createWorkspace(infra.db, org._id, 'Everyone');
    const ids = Array.from({ length: 5_000 }, () => randomUUID());
    const newcomer = randomUUID();
    await provision(org._id, [...ids, newcomer]);
    const group = { id: randomUUID(), displayName: everyone.name };
    await handleGroupChanged(deps, groupChanged(org._id, 1, group, replaced(ids)));
    expect(await workspaceMembers().countDocuments({ tenant: org._id, workspaceId: everyone._id })).toBe(
      ids.length,
    );

    const revs = async () =>
      new Map(
        (
          await infra.db
            .collection<UserDoc>(USERS_PROJECTION_COLLECTION)
            .find({ tenant: org._id }, { projection: { userId: 1, rev: 1 } })
            .toArray()
        ).map((u) => [u.userId, u.rev]),
      );
    const before = await revs();
    const added = groupChanged(org._id, 2, group, delta([newcomer]));
    await handleGroupChanged(deps, added);

    expect((await store.group(org._id, group.id))?.lastChange).toEqual({
      sequence: 2,
      commandId: added.data.commandId,
      candidates: [newcomer],
      affected: [newcomer],
    });
    const after = await revs();
    expect([...after.keys()].filter((id) => after.get(id) !== before.get(id))).toEqual([newcomer]);
    expect(
      (await groupMemberDocs().find({ tenant: org._id, groupId: group.id, sequence: 2 }).toArray()).map(
        (m) => m.userId,
      ),
    ).toEqual([newcomer]);
    expect(await resources(added.correlationid, 2)).toEqual([`User:${newcomer}`, `Group:${group.id}`].sort());
    expect(await workspaceIdsOf(org._id, newcomer)).toEqual([everyone._id]);
    expect(await workspaceMembers().countDocuments({ tenant: org._id, workspaceId: everyone._id })).toBe(
      ids.length + 1,
    );
  });

  it.each([
    {
      what: 'adding u, resumed after N+1 removed u',
      initial: (_u: string, v: string) => [v],
      changeN: (u: string) => delta([u]),
      changeN1: (u: string) => delta([], [u]),
      member: false,
    },
    {
      what: 'replacing u away, resumed after N+1 added u back',
      initial: (u: string, v: string) => [u, v],
      changeN: (_u: string, v: string) => replaced([v]),
      changeN1: (u: string) => delta([u]),
      member: true,
    },
  ])(
    'a stalled delivery of change N ($what) changes nothing',
    async ({ initial, changeN, changeN1, member }) => {
      const org = await createOrganization(infra.db, { autoCapture: false });
      const support = await createWorkspace(infra.db, org._id, 'Support');
      const [u, v] = [randomUUID(), randomUUID()];
      await provision(org._id, [u, v]);
      const group = { id: randomUUID(), displayName: support.name };
      await handleGroupChanged(deps, groupChanged(org._id, 1, group, replaced(initial(u, v))));
      const n = groupChanged(org._id, 2, group, changeN(u, v));

      // a consumer records N, then stops before writing its members
      const stalled = new StalledStore(setup.mongo.db);
      const staleDelivery = handleGroupChanged({ ...deps, store: stalled }, n);
      await stalled.paused;
      // its partition moved: another consumer redelivers N, then applies N+1
      await handleGroupChanged(deps, n);
      await handleGroupChanged(deps, groupChanged(org._id, 3, group, changeN1(u)));
      const settled = await memberDocsOf(org._id, group.id);
      expect(settled.find((m) => m.userId === u)).toMatchObject({ present: member, sequence: 3 });

      // the stopped consumer resumes and writes N's members: nothing moves
      stalled.release();
      await staleDelivery;
      expect(await memberDocsOf(org._id, group.id)).toEqual(settled);
      expect(await workspaceIdsOf(org._id, u)).toEqual(member ? [support._id] : []);
      expect(await workspaceIdsOf(org._id, v)).toEqual([support._id]);

      // and N delivered once more only answers for the group
      const answered = setup.log.of(n.correlationid).length;
      await handleGroupChanged(deps, n);
      const [last] = (await setup.log.wait(n.correlationid, answered + 1)).slice(answered);
      expect(last?.data.resource).toEqual({ type: 'Group', id: group.id, sequence: 2 });
      expect(await memberDocsOf(org._id, group.id)).toEqual(settled);
      expect(await workspaceIdsOf(org._id, u)).toEqual(member ? [support._id] : []);
    },
  );

  it('a rename moves every member to the workspace of the new name; a deletion takes every member out', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const design = await createWorkspace(infra.db, org._id, 'Design');
    const team = await createWorkspace(infra.db, org._id, 'Design team');
    const members = [randomUUID(), randomUUID(), randomUUID()];
    const newcomer = randomUUID();
    await provision(org._id, [...members, newcomer]);
    const group = { id: randomUUID(), displayName: design.name };
    await handleGroupChanged(deps, groupChanged(org._id, 1, group, replaced(members)));
    expect(await membersOfWorkspace(org._id, design._id)).toEqual([...members].sort());

    // one PATCH renames the group and adds a member: the delta names one, the rename moves all
    const renamed = groupChanged(org._id, 2, { ...group, displayName: team.name }, delta([newcomer]));
    await handleGroupChanged(deps, renamed);
    const everyone = [...members, newcomer].sort();
    expect(await membersOfWorkspace(org._id, design._id)).toEqual([]);
    expect(await membersOfWorkspace(org._id, team._id)).toEqual(everyone);
    expect(await resources(renamed.correlationid, everyone.length + 1)).toEqual(
      [...everyone.map((id) => `User:${id}`), `Group:${group.id}`].sort(),
    );

    const deleted = groupChanged(org._id, 3, { ...group, displayName: team.name }, replaced([]), 'deleted');
    await handleGroupChanged(deps, deleted);
    expect(await membersOfWorkspace(org._id, team._id)).toEqual([]);
    for (const id of everyone) expect(await workspaceIdsOf(org._id, id)).toEqual([]);
    expect((await memberDocsOf(org._id, group.id)).map((m) => [m.userId, m.present, m.sequence])).toEqual(
      everyone.map((id) => [id, false, 3]),
    );
    expect(await store.membersOfGroupsNamed(org._id, [team.name])).toEqual([]);
  });

  it('moves the member lists the previous version kept in the projections at start, once', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const finance = await createWorkspace(infra.db, org._id, 'Finance');
    const [a, b] = [randomUUID(), randomUUID()];
    const groupId = randomUUID();
    const projections = infra.db.collection(GROUPS_PROJECTION_COLLECTION);
    // as the previous version wrote it, with its index
    await projections.insertOne({
      _id: `${org._id}:${groupId}` as never,
      tenant: org._id,
      groupId,
      displayName: finance.name,
      memberIds: [a, b],
      deleted: false,
      sequence: 3,
      lastChange: { sequence: 3, commandId: randomUUID(), candidates: [a, b], affected: [] },
      updatedAt: new Date().toISOString(),
    });
    await projections.createIndex({ tenant: 1, memberIds: 1 }, { name: 'tenant_member' });

    await new MembershipStore(setup.mongo.db).ensureIndexes();
    const moved = await memberDocsOf(org._id, groupId);
    expect(moved).toMatchObject(
      [a, b]
        .sort()
        .map((userId) => ({ _id: `${org._id}:${groupId}:${userId}`, userId, present: true, sequence: 3 })),
    );
    expect(await projections.findOne({ groupId })).not.toHaveProperty('memberIds');
    expect(await projections.indexExists('tenant_member')).toBe(false);

    await new MembershipStore(setup.mongo.db).ensureIndexes();
    expect(await memberDocsOf(org._id, groupId)).toEqual(moved);

    // the moved members count for convergence, and the next change is a delta on them
    await provision(org._id, [a, b]);
    expect(await membersOfWorkspace(org._id, finance._id)).toEqual([a, b].sort());
    await handleGroupChanged(
      deps,
      groupChanged(org._id, 4, { id: groupId, displayName: finance.name }, delta([], [a])),
    );
    expect(await membersOfWorkspace(org._id, finance._id)).toEqual([b]);
  });
});
