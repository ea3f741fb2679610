import { randomUUID } from 'node:crypto';
import {
  type StepOutcome,
  TOPICS,
  WORKSPACE_MEMBERS_COLLECTION,
  type WorkspaceMemberDocument,
} from '@roster/contracts';
import type { Publisher } from '@roster/service-kit';
import { createOrganization, snapshot } from '@roster/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredMemberships, type GroupProjection } from '../src/domain/desired.ts';
import type { MemberWrites } from '../src/domain/group-change.ts';
import type { HandlerDeps } from '../src/handlers/deps.ts';
import { handleGroupChanged } from '../src/handlers/group-changed.ts';
import { handleWorkspaceChanged } from '../src/handlers/org-changed.ts';
import { handleUserChanges } from '../src/handlers/user-changed.ts';
import {
  type ConvergedUser,
  GROUP_MEMBERS_COLLECTION,
  type GroupMemberDoc,
  MembershipStore,
} from '../src/store/membership.ts';
import {
  createWorkspace,
  delta,
  groupChanged,
  type HandlerSetup,
  type Infra,
  type OutcomeLog,
  quietLog,
  replaced,
  startHandlerSetup,
  startInfra,
  userChanged,
  workspaceChanged,
} from './helpers.ts';

/** A store whose next calls fail, as if the process died before converging or writing members. */
class CrashingStore extends MembershipStore {
  crashes = 0;
  memberWriteCrashes = 0;
  override async converge(tenant: string, userIds: readonly string[]): Promise<Map<string, ConvergedUser>> {
    if (this.crashes > 0) {
      this.crashes--;
      throw new Error('crash before convergence');
    }
    return super.converge(tenant, userIds);
  }
  override async writeGroupMembers(tenant: string, groupId: string, sequence: number, writes: MemberWrites) {
    if (this.memberWriteCrashes > 0) {
      this.memberWriteCrashes--;
      throw new Error('crash before writing members');
    }
    return super.writeGroupMembers(tenant, groupId, sequence, writes);
  }
}

/** A store whose next `load` pauses after reading, until released: a slow converger racing others. */
class GatedStore extends MembershipStore {
  gate: Promise<void> | undefined;
  paused: (() => void) | undefined;
  override async load(tenant: string, userIds: readonly string[], override?: GroupProjection) {
    const context = await super.load(tenant, userIds, override);
    const gate = this.gate;
    this.gate = undefined;
    if (gate) {
      this.paused?.();
      await gate;
    }
    return context;
  }
}

/** A publisher whose next `publish` calls fail, as if the process died before publishing. */
const crashingPublisher = (inner: Publisher) => {
  const state = { crashes: 0 };
  const publisher: Publisher = {
    async publish(topic, messages) {
      if (state.crashes > 0) {
        state.crashes--;
        throw new Error('crash before publish');
      }
      await inner.publish(topic, messages);
    },
    close: () => inner.close(),
  };
  return { publisher, state };
};

let infra: Infra;
let setup: HandlerSetup;
let log: OutcomeLog;
let store: CrashingStore;
let crashes: { crashes: number };
let deps: HandlerDeps;

beforeAll(async () => {
  infra = await startInfra();
  setup = await startHandlerSetup(infra, 'membership-recovery-test');
  log = setup.log;
  store = new CrashingStore(setup.mongo.db);
  await store.ensureIndexes();
  const crashing = crashingPublisher(setup.publisher);
  crashes = crashing.state;
  deps = { store, publisher: crashing.publisher, log: quietLog() };
});

afterAll(async () => {
  await setup?.close();
  await infra?.close();
});

const members = () => infra.db.collection<WorkspaceMemberDocument>(WORKSPACE_MEMBERS_COLLECTION);
const membershipsOf = (tenant: string, userId: string) => members().find({ tenant, userId }).toArray();
const groupMembersOf = (tenant: string, groupId: string) =>
  infra.db.collection<GroupMemberDoc>(GROUP_MEMBERS_COLLECTION).find({ tenant, groupId }).toArray();
const outcomesOf = (correlationid: string) => log.of(correlationid);
const waitOutcomes = (correlationid: string, count: number) => log.wait(correlationid, count);
const resources = (outcomes: StepOutcome[]) =>
  outcomes.map((o) => `${o.data.resource.type}:${o.data.resource.id}`).sort();

describe('crash recovery and concurrency', () => {
  it('a redelivered change in a batch does not stop the changes after it (chaos: a deprovisioned user stayed in the default workspace)', async () => {
    const org = await createOrganization(infra.db, { autoCapture: true, domains: ['example.com'] });
    await createWorkspace(infra.db, org._id, 'General', true);
    const [ada, grace] = [randomUUID(), randomUUID()];
    const adaJoined = userChanged(org._id, 1, snapshot(ada));
    await handleUserChanges(deps, [adaJoined, userChanged(org._id, 1, snapshot(grace))]);
    expect(await membershipsOf(org._id, grace)).toHaveLength(1);
    // After a crash: ada's change again (already recorded), then grace leaves, in one batch.
    await handleUserChanges(deps, [
      adaJoined,
      userChanged(org._id, 2, snapshot(grace, { active: false }), 'deactivated'),
    ]);
    expect(await membershipsOf(org._id, grace)).toEqual([]);
    expect(await membershipsOf(org._id, ada)).toHaveLength(1);
  });

  it('a group change that crashed before converging is finished by its redelivery', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const ops = await createWorkspace(infra.db, org._id, 'Ops');
    const users = [randomUUID(), randomUUID()];
    for (const id of users) await handleUserChanges(deps, [userChanged(org._id, 1, snapshot(id))]);

    const change = groupChanged(org._id, 1, { id: randomUUID(), displayName: ops.name }, replaced(users));
    store.crashes = 1;
    await expect(handleGroupChanged(deps, change)).rejects.toThrow('crash before convergence');
    for (const id of users) expect(await membershipsOf(org._id, id)).toEqual([]);

    await handleGroupChanged(deps, change); // the redelivery
    for (const id of users)
      expect((await membershipsOf(org._id, id)).map((m) => m.workspaceId)).toEqual([ops._id]);
    const outcomes = await waitOutcomes(change.correlationid, users.length + 1);
    expect(resources(outcomes)).toEqual(
      [...users.map((id) => `User:${id}`), `Group:${change.data.group.id}`].sort(),
    );
  });

  it('a group change that crashed before publishing re-publishes the same outcomes, writing nothing', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const ops = await createWorkspace(infra.db, org._id, 'Ops');
    const id = randomUUID();
    await handleUserChanges(deps, [userChanged(org._id, 1, snapshot(id))]);

    const change = groupChanged(org._id, 1, { id: randomUUID(), displayName: ops.name }, replaced([id]));
    crashes.crashes = 1;
    await expect(handleGroupChanged(deps, change)).rejects.toThrow('crash before publish');
    const converged = await membershipsOf(org._id, id);
    expect(converged.map((m) => m.workspaceId)).toEqual([ops._id]);
    expect(outcomesOf(change.correlationid)).toEqual([]);
    const members = await groupMembersOf(org._id, change.data.group.id);
    expect(members).toMatchObject([{ userId: id, present: true, sequence: 1 }]);

    await handleGroupChanged(deps, change);
    expect(await groupMembersOf(org._id, change.data.group.id)).toEqual(members);
    const outcomes = await waitOutcomes(change.correlationid, 2);
    expect(resources(outcomes)).toEqual([`User:${id}`, `Group:${change.data.group.id}`].sort());
    expect(outcomes.find((o) => o.data.resource.type === 'User')?.data.state).toEqual({
      step: 'membership',
      workspaces: [{ id: ops._id, name: ops.name }],
    });
    expect(await membershipsOf(org._id, id)).toEqual(converged);
  });

  it('a replacement that crashed before writing its members is finished by its redelivery, removing the members it drops', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const ops = await createWorkspace(infra.db, org._id, 'Ops');
    const [stays, leaves] = [randomUUID(), randomUUID()];
    for (const id of [stays, leaves]) await handleUserChanges(deps, [userChanged(org._id, 1, snapshot(id))]);
    const group = { id: randomUUID(), displayName: ops.name };
    await handleGroupChanged(deps, groupChanged(org._id, 1, group, replaced([stays, leaves])));

    const replacement = groupChanged(org._id, 2, group, replaced([stays]));
    store.memberWriteCrashes = 1;
    await expect(handleGroupChanged(deps, replacement)).rejects.toThrow('crash before writing members');
    expect((await membershipsOf(org._id, leaves)).map((m) => m.workspaceId)).toEqual([ops._id]);

    // the projection says 2 already: the redelivery writes what the recorded candidates say
    await handleGroupChanged(deps, replacement);
    expect(await membershipsOf(org._id, leaves)).toEqual([]);
    expect((await membershipsOf(org._id, stays)).map((m) => m.workspaceId)).toEqual([ops._id]);
    const outcomes = await waitOutcomes(replacement.correlationid, 2);
    expect(resources(outcomes)).toEqual([`User:${leaves}`, `Group:${group.id}`].sort());
  });

  it('a user change and a workspace change that crashed are finished by their redeliveries', async () => {
    const org = await createOrganization(infra.db, { autoCapture: true, domains: ['example.com'] });
    const general = await createWorkspace(infra.db, org._id, 'General', true);
    const id = randomUUID();
    const provisioned = userChanged(org._id, 1, snapshot(id));
    store.crashes = 1;
    await expect(handleUserChanges(deps, [provisioned])).rejects.toThrow();
    await handleUserChanges(deps, [provisioned]);
    expect((await membershipsOf(org._id, id)).map((m) => m.workspaceId)).toEqual([general._id]);
    const [outcome] = await waitOutcomes(provisioned.correlationid, 1);
    expect(outcome?.data.state).toEqual({
      step: 'membership',
      workspaces: [{ id: general._id, name: general.name }],
    });

    const group = { id: randomUUID(), displayName: 'Research' };
    await handleGroupChanged(deps, groupChanged(org._id, 1, group, replaced([id])));
    const research = await createWorkspace(infra.db, org._id, group.displayName);
    const created = workspaceChanged(research, 'created');
    store.crashes = 1;
    await expect(handleWorkspaceChanged(deps, created)).rejects.toThrow();
    await handleWorkspaceChanged(deps, created);
    const [linked] = await waitOutcomes(created.id, 1);
    expect(linked?.data.state).toEqual({
      step: 'membership',
      workspaces: [
        { id: general._id, name: general.name },
        { id: research._id, name: research.name },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    });
  });

  it('a slow convergence that read stale inputs is redone, so a concurrent removal is never undone', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const alpha = await createWorkspace(infra.db, org._id, 'Alpha');
    const id = randomUUID();
    await handleUserChanges(deps, [userChanged(org._id, 1, snapshot(id, { active: false }))]);
    const group = { id: randomUUID(), displayName: alpha.name };
    await handleGroupChanged(deps, groupChanged(org._id, 1, group, replaced([id])));
    expect(await membershipsOf(org._id, id)).toEqual([]);

    // the reactivation reads its inputs (the group still lists the user), then stalls
    const slow = new GatedStore(setup.mongo.db);
    let release = () => {};
    slow.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const paused = new Promise<void>((resolve) => {
      slow.paused = resolve;
    });
    const reactivated = userChanged(org._id, 2, snapshot(id), 'reactivated');
    const stalled = handleUserChanges({ ...deps, store: slow }, [reactivated]);
    await paused;

    // meanwhile the group drops the user, and that change converges completely
    await handleGroupChanged(deps, groupChanged(org._id, 2, group, delta([], [id])));
    expect(await membershipsOf(org._id, id)).toEqual([]);

    // the stalled convergence writes its stale view, sees the rev moved, and converges again
    release();
    await stalled;
    expect(await membershipsOf(org._id, id)).toEqual([]);
    const [outcome] = await waitOutcomes(reactivated.correlationid, 1);
    expect(outcome?.data.state).toEqual({ step: 'membership', workspaces: [] });
  });

  it('converges to the desired state whatever the interleaving of user, group and workspace changes', async () => {
    const org = await createOrganization(infra.db, { autoCapture: true, domains: ['example.com'] });
    await createWorkspace(infra.db, org._id, 'General', true);
    const names = ['Alpha', 'Beta', 'Gamma'];
    const userIds = Array.from({ length: 12 }, () => randomUUID());
    const groups = names.map((displayName, i) => ({
      id: randomUUID(),
      displayName,
      memberIds: userIds.filter((_, u) => u % (i + 2) === 0),
    }));
    // everything at once: provisions, a deactivation, group pushes and updates, workspaces appearing
    const workspaces = await Promise.all(
      names.slice(0, 2).map((name) => createWorkspace(infra.db, org._id, name)),
    );
    const work: Promise<void>[] = [
      ...userIds.map((id, u) =>
        handleUserChanges(deps, [userChanged(org._id, 1, snapshot(id))]).then(() =>
          u % 5 === 0
            ? handleUserChanges(deps, [
                userChanged(org._id, 2, snapshot(id, { active: false }), 'deactivated'),
              ])
            : undefined,
        ),
      ),
      // each group created without its first member, who joins by a delta
      ...groups.map(({ memberIds, ...g }) =>
        handleGroupChanged(deps, groupChanged(org._id, 1, g, replaced(memberIds.slice(1)))).then(() =>
          handleGroupChanged(deps, groupChanged(org._id, 2, g, delta(memberIds.slice(0, 1)))),
        ),
      ),
      ...workspaces.map((w) => handleWorkspaceChanged(deps, workspaceChanged(w, 'created'))),
    ];
    await Promise.all(work);

    const context = await store.load(org._id, userIds);
    for (const id of userIds) {
      const user = context.users.get(id) ?? null;
      const expected = desiredMemberships({
        user,
        rule: context.rule,
        workspaces: context.workspaces,
        groups: groups.map((g) => ({
          groupId: g.id,
          displayName: g.displayName,
          memberIds: g.memberIds,
          deleted: false,
        })),
      });
      const actual = await membershipsOf(org._id, id);
      expect(
        actual
          .map((m) => ({ workspaceId: m.workspaceId, workspaceName: m.workspaceName, sources: m.sources }))
          .sort((a, b) => a.workspaceName.localeCompare(b.workspaceName)),
      ).toEqual(expected);
    }
    // the topic the outcomes went to is the catalogue's
    expect(TOPICS.stepOutcomes.name).toBe('roster.step-outcomes.v1');
  });
});
