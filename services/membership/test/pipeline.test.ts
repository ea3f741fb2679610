import { randomUUID } from 'node:crypto';
import {
  envelope,
  ORGANIZATIONS_COLLECTION,
  type OrganizationDocument,
  type StepOutcome,
  WORKSPACE_MEMBERS_COLLECTION,
  type WorkspaceDocument,
  type WorkspaceMemberDocument,
} from '@roster/contracts';
import { createOrganization, createProducer, snapshot } from '@roster/service-kit/testing';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMembership, startMembership } from '../src/service.ts';
import { CONVERGE_BATCH } from '../src/store/membership.ts';
import {
  createWorkspace,
  delta,
  groupChanged,
  groupChangedV1,
  type Infra,
  type OutcomeLog,
  produce,
  quietLog,
  renameWorkspace,
  replaced,
  startInfra,
  startOutcomeLog,
  userChanged,
  workspaceChanged,
} from './helpers.ts';

let infra: Infra;
let service: RunningMembership;
let producer: Producer;
let log: OutcomeLog;

beforeAll(async () => {
  infra = await startInfra();
  service = await startMembership(infra.config, quietLog());
  await service.ready;
  producer = await createProducer(infra.kafka);
  log = await startOutcomeLog(infra.kafka);
});

afterAll(async () => {
  await log?.stop();
  await producer?.disconnect();
  await service?.stop();
  await infra?.close();
});

const members = () => infra.db.collection<WorkspaceMemberDocument>(WORKSPACE_MEMBERS_COLLECTION);

/** A user's memberships, the one query other services use, sorted by workspace name. */
const membershipsOf = async (tenant: string, userId: string) =>
  (await members().find({ tenant, userId }).toArray()).sort((a, b) =>
    a.workspaceName.localeCompare(b.workspaceName),
  );

const workspaceIdsOf = async (tenant: string, userId: string) =>
  (await membershipsOf(tenant, userId)).map((m) => m.workspaceId);

const outcomesOf = (correlationid: string) => log.of(correlationid);
const waitOutcomes = (correlationid: string, count: number) => log.wait(correlationid, count);

const view = (...workspaces: WorkspaceDocument[]) =>
  workspaces.map((w) => ({ id: w._id, name: w.name })).sort((a, b) => a.name.localeCompare(b.name));

const userOutcomeOf = (outcomes: StepOutcome[], userId: string) =>
  outcomes.find((o) => o.data.resource.type === 'User' && o.data.resource.id === userId);

/** Provisions users (sequence 1) and waits for their outcomes. */
const provision = async (tenant: string, ids: string[], overrides = {}) => {
  const changes = ids.map((id) => userChanged(tenant, 1, snapshot(id, overrides)));
  await produce(producer, 'directoryChanges', ...changes);
  await Promise.all(changes.map((c) => waitOutcomes(c.correlationid, 1)));
  return changes;
};

describe('membership consumer', () => {
  it('puts a new user of a listed domain in the default workspace when auto-capture is on', async () => {
    const org = await createOrganization(infra.db, { autoCapture: true, domains: ['Example.com'] });
    const general = await createWorkspace(infra.db, org._id, 'General', true);
    const noCapture = await createOrganization(infra.db, { autoCapture: false, domains: ['example.com'] });
    await createWorkspace(infra.db, noCapture._id, 'General', true);

    const adaId = randomUUID();
    const outsiderId = randomUUID();
    const offId = randomUUID();
    const ada = userChanged(org._id, 1, snapshot(adaId, { email: `${adaId}@EXAMPLE.com` }));
    const outsider = userChanged(org._id, 1, snapshot(outsiderId, { email: `${outsiderId}@elsewhere.io` }));
    const off = userChanged(noCapture._id, 1, snapshot(offId));
    await produce(producer, 'directoryChanges', ada, outsider, off);

    const [adaOutcome] = await waitOutcomes(ada.correlationid, 1);
    expect(adaOutcome).toMatchObject({
      type: 'roster.outcome.step.v1',
      source: '/roster/membership',
      tenant: org._id,
      subject: adaId,
      causationid: ada.id,
    });
    expect(adaOutcome?.traceparent?.split('-')[1]).toBe(ada.traceparent?.split('-')[1]);
    expect(adaOutcome?.data).toEqual({
      commandId: ada.data.commandId,
      step: 'membership',
      resource: { type: 'User', id: adaId, sequence: ada.data.sequence },
      result: 'succeeded',
      state: { step: 'membership', workspaces: view(general) },
    });
    const [membership] = await membershipsOf(org._id, adaId);
    expect(membership).toMatchObject({
      _id: `${general._id}:${adaId}`,
      tenant: org._id,
      workspaceId: general._id,
      workspaceName: general.name,
      userId: adaId,
      sources: [{ kind: 'default' }],
    });

    for (const [change, tenant, id] of [
      [outsider, org._id, outsiderId],
      [off, noCapture._id, offId],
    ] as const) {
      const [outcome] = await waitOutcomes(change.correlationid, 1);
      expect(outcome?.data.state).toEqual({ step: 'membership', workspaces: [] });
      expect(await membershipsOf(tenant, id)).toEqual([]);
    }
  });

  it('converges user changes of several organizations arriving together; a user changed twice ends where the last change leads', async () => {
    const orgs = await Promise.all(
      [0, 1].map(() => createOrganization(infra.db, { autoCapture: true, domains: ['example.com'] })),
    );
    const defaults = await Promise.all(
      orgs.map((org) => createWorkspace(infra.db, org._id, 'General', true)),
    );
    const ids = orgs.map(() => Array.from({ length: 6 }, () => randomUUID()));
    const created = orgs.flatMap((org, o) => ids[o]!.map((id) => userChanged(org._id, 1, snapshot(id))));
    const leaver = ids[0]![0]!;
    const left = userChanged(orgs[0]!._id, 2, snapshot(leaver, { active: false }), 'deactivated');
    // One send: the changes sit together on their partitions and are fetched as batches.
    await produce(producer, 'directoryChanges', ...created, left);
    await Promise.all([...created, left].map((c) => waitOutcomes(c.correlationid, 1)));
    for (const [o, org] of orgs.entries())
      for (const id of ids[o]!)
        expect(await workspaceIdsOf(org._id, id)).toEqual(id === leaver ? [] : [defaults[o]!._id]);
    const [lastWord] = outcomesOf(left.correlationid);
    expect(lastWord?.data).toMatchObject({ resource: { sequence: 2 }, state: { workspaces: [] } });
  });

  it('applies a pushed group to the workspace of the exact same name, and follows member changes', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const marketing = await createWorkspace(infra.db, org._id, 'Marketing workspace');
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const provisioned = await provision(org._id, [a, b, c]);
    const sequenceOf = (id: string) => provisioned.find((p) => p.data.user.id === id)?.data.sequence;

    const groupId = randomUUID();
    const pushed = groupChanged(org._id, 1, { id: groupId, displayName: marketing.name }, replaced([a, b]));
    await produce(producer, 'directoryChanges', pushed);
    const first = await waitOutcomes(pushed.correlationid, [a, b].length + 1);
    expect(first.map((o) => `${o.data.resource.type}:${o.data.resource.id}`).sort()).toEqual(
      [`User:${a}`, `User:${b}`, `Group:${groupId}`].sort(),
    );
    for (const outcome of first) {
      expect(outcome.data.commandId).toBe(pushed.data.commandId);
      expect(outcome.causationid).toBe(pushed.id);
    }
    expect(first.find((o) => o.data.resource.type === 'Group')?.data).toEqual({
      commandId: pushed.data.commandId,
      step: 'membership',
      resource: { type: 'Group', id: groupId, sequence: pushed.data.sequence },
      result: 'succeeded',
    });
    for (const id of [a, b]) {
      expect(userOutcomeOf(first, id)?.data).toMatchObject({
        resource: { type: 'User', id, sequence: sequenceOf(id) },
        state: { step: 'membership', workspaces: view(marketing) },
      });
      expect((await membershipsOf(org._id, id)).map((m) => m.sources)).toEqual([
        [{ kind: 'group', groupId }],
      ]);
    }
    expect(await workspaceIdsOf(org._id, c)).toEqual([]);

    // a different case is a different name: no link, only the group's own outcome
    const otherGroupId = randomUUID();
    const lookalike = groupChanged(
      org._id,
      1,
      { id: otherGroupId, displayName: 'Marketing Workspace' },
      replaced([c]),
    );
    await produce(producer, 'directoryChanges', lookalike);
    const [lookalikeOutcome] = await waitOutcomes(lookalike.correlationid, 1);
    expect(lookalikeOutcome?.data.resource).toEqual({ type: 'Group', id: otherGroupId, sequence: 1 });
    expect(await workspaceIdsOf(org._id, c)).toEqual([]);

    // members change: a leaves, c joins, b stays (no outcome for b)
    const moved = groupChanged(org._id, 2, { id: groupId, displayName: marketing.name }, delta([c], [a]));
    await produce(producer, 'directoryChanges', moved);
    const second = await waitOutcomes(moved.correlationid, 3);
    expect(second.map((o) => `${o.data.resource.type}:${o.data.resource.id}`).sort()).toEqual(
      [`User:${a}`, `User:${c}`, `Group:${groupId}`].sort(),
    );
    expect(userOutcomeOf(second, a)?.data.state).toEqual({ step: 'membership', workspaces: [] });
    expect(userOutcomeOf(second, c)?.data.state).toEqual({ step: 'membership', workspaces: view(marketing) });
    expect(await workspaceIdsOf(org._id, a)).toEqual([]);
    expect(await workspaceIdsOf(org._id, b)).toEqual([marketing._id]);
    expect(await workspaceIdsOf(org._id, c)).toEqual([marketing._id]);
    const inWorkspace = await members().find({ tenant: org._id, workspaceId: marketing._id }).toArray();
    expect(inWorkspace.map((m) => m.userId).sort()).toEqual([b, c].sort());
  });

  it('tracks an unlinked group, links it when a workspace of its name appears, unlinks on rename away', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const [d, e] = [randomUUID(), randomUUID()];
    await provision(org._id, [d, e]);

    const groupId = randomUUID();
    const pushed = groupChanged(org._id, 1, { id: groupId, displayName: 'Design' }, replaced([d, e]));
    await produce(producer, 'directoryChanges', pushed);
    const [groupOnly] = await waitOutcomes(pushed.correlationid, 1);
    expect(groupOnly?.data.resource.type).toBe('Group');
    expect(await workspaceIdsOf(org._id, d)).toEqual([]);

    const design = await createWorkspace(infra.db, org._id, 'Design');
    const created = workspaceChanged(design, 'created');
    await produce(producer, 'orgChanges', created);
    const linked = await waitOutcomes(created.id, [d, e].length);
    for (const id of [d, e]) {
      expect(userOutcomeOf(linked, id)?.data).toMatchObject({
        commandId: created.id,
        resource: { type: 'User', id, sequence: 1 },
        state: { step: 'membership', workspaces: view(design) },
      });
      expect(await membershipsOf(org._id, id)).toMatchObject([
        { workspaceId: design._id, workspaceName: design.name, sources: [{ kind: 'group', groupId }] },
      ]);
    }
    expect(linked.every((o) => o.causationid === created.id)).toBe(true);

    const renamedAway = await renameWorkspace(infra.db, design, 'Design team');
    const away = workspaceChanged(renamedAway, 'renamed', design.name);
    await produce(producer, 'orgChanges', away);
    const unlinked = await waitOutcomes(away.id, [d, e].length);
    for (const id of [d, e]) {
      expect(userOutcomeOf(unlinked, id)?.data.state).toEqual({ step: 'membership', workspaces: [] });
      expect(await workspaceIdsOf(org._id, id)).toEqual([]);
    }

    // renaming back links again
    const renamedBack = await renameWorkspace(infra.db, renamedAway, design.name);
    const back = workspaceChanged(renamedBack, 'renamed', renamedAway.name);
    await produce(producer, 'orgChanges', back);
    const relinked = await waitOutcomes(back.id, [d, e].length);
    for (const id of [d, e]) {
      expect(userOutcomeOf(relinked, id)?.data.state).toEqual({
        step: 'membership',
        workspaces: view(design),
      });
      expect(await workspaceIdsOf(org._id, id)).toEqual([design._id]);
    }
  });

  it('deactivation removes every workspace, reactivation restores default and group workspaces', async () => {
    const org = await createOrganization(infra.db, { autoCapture: true, domains: ['example.com'] });
    const general = await createWorkspace(infra.db, org._id, 'General', true);
    const sales = await createWorkspace(infra.db, org._id, 'Sales');
    const id = randomUUID();
    await provision(org._id, [id]);
    const groupId = randomUUID();
    const pushed = groupChanged(org._id, 1, { id: groupId, displayName: sales.name }, replaced([id]));
    await produce(producer, 'directoryChanges', pushed);
    await waitOutcomes(pushed.correlationid, 2);
    const both = view(general, sales);
    expect(
      (await membershipsOf(org._id, id)).map((m) => ({ id: m.workspaceId, name: m.workspaceName })),
    ).toEqual(both);

    const deactivated = userChanged(org._id, 2, snapshot(id, { active: false }), 'deactivated');
    await produce(producer, 'directoryChanges', deactivated);
    const [gone] = await waitOutcomes(deactivated.correlationid, 1);
    expect(gone?.data).toMatchObject({
      resource: { type: 'User', id, sequence: deactivated.data.sequence },
      state: { step: 'membership', workspaces: [] },
    });
    expect(await membershipsOf(org._id, id)).toEqual([]);

    const reactivated = userChanged(org._id, 3, snapshot(id), 'reactivated');
    await produce(producer, 'directoryChanges', reactivated);
    const [back] = await waitOutcomes(reactivated.correlationid, 1);
    expect(back?.data.state).toEqual({ step: 'membership', workspaces: both });
    expect(
      (await membershipsOf(org._id, id)).map((m) => ({ workspaceId: m.workspaceId, sources: m.sources })),
    ).toEqual(
      [
        { workspaceId: general._id, name: general.name, sources: [{ kind: 'default' }] },
        { workspaceId: sales._id, name: sales.name, sources: [{ kind: 'group', groupId }] },
      ]
        .sort((x, y) => x.name.localeCompare(y.name))
        .map(({ workspaceId, sources }) => ({ workspaceId, sources })),
    );
  });

  it('a duplicate delivery changes nothing twice and re-publishes the same outcomes', async () => {
    const org = await createOrganization(infra.db, { autoCapture: true, domains: ['example.com'] });
    const general = await createWorkspace(infra.db, org._id, 'General', true);
    const support = await createWorkspace(infra.db, org._id, 'Support');
    const id = randomUUID();
    await provision(org._id, [id]);

    const stable = (docs: WorkspaceMemberDocument[]) => JSON.stringify(docs);
    const outcomeData = (outcomes: StepOutcome[]) =>
      outcomes
        .map((o) => JSON.stringify(o.data))
        .sort()
        .join('\n');

    // a group change delivered twice
    const pushed = groupChanged(org._id, 1, { id: randomUUID(), displayName: support.name }, replaced([id]));
    await produce(producer, 'directoryChanges', pushed);
    const once = await waitOutcomes(pushed.correlationid, 2);
    const afterOnce = stable(await membershipsOf(org._id, id));
    await produce(producer, 'directoryChanges', pushed);
    const twice = await waitOutcomes(pushed.correlationid, once.length * 2);
    expect(stable(await membershipsOf(org._id, id))).toBe(afterOnce);
    const [firstHalf, secondHalf] = [twice.slice(0, once.length), twice.slice(once.length)];
    expect(outcomeData(secondHalf)).toBe(outcomeData(firstHalf));

    // a user change delivered twice, then a stale one
    const updated = userChanged(org._id, 2, snapshot(id));
    await produce(producer, 'directoryChanges', updated);
    const [u1] = await waitOutcomes(updated.correlationid, 1);
    const afterUpdate = stable(await membershipsOf(org._id, id));
    await produce(producer, 'directoryChanges', updated);
    const [, u2] = await waitOutcomes(updated.correlationid, 2);
    expect(u2?.data).toEqual(u1?.data);
    expect(u1?.data.state).toEqual({ step: 'membership', workspaces: view(general, support) });
    expect(stable(await membershipsOf(org._id, id))).toBe(afterUpdate);

    const stale = userChanged(org._id, 1, snapshot(id, { active: false }));
    await produce(producer, 'directoryChanges', stale);
    const [staleOutcome] = await waitOutcomes(stale.correlationid, 1);
    expect(staleOutcome?.data.state).toEqual({ step: 'membership', workspaces: view(general, support) });
    expect(stable(await membershipsOf(org._id, id))).toBe(afterUpdate);

    // a workspace rename delivered twice
    const everyone = await renameWorkspace(infra.db, general, 'Everyone');
    const renamed = workspaceChanged(everyone, 'renamed', general.name);
    await produce(producer, 'orgChanges', renamed);
    const [r1] = await waitOutcomes(renamed.id, 1);
    expect(r1?.data.state).toEqual({ step: 'membership', workspaces: view(everyone, support) });
    const afterRename = stable(await membershipsOf(org._id, id));
    expect(afterRename).not.toBe(afterUpdate);
    await produce(producer, 'orgChanges', renamed);
    const [, r2] = await waitOutcomes(renamed.id, 2);
    expect(r2?.data).toEqual(r1?.data);
    expect(stable(await membershipsOf(org._id, id))).toBe(afterRename);
  });

  it('a group naming users not seen yet applies to them when their first change arrives', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const qa = await createWorkspace(infra.db, org._id, 'QA');
    const id = randomUUID();
    const pushed = groupChanged(org._id, 1, { id: randomUUID(), displayName: qa.name }, replaced([id]));
    await produce(producer, 'directoryChanges', pushed);
    const [groupOnly] = await waitOutcomes(pushed.correlationid, 1);
    expect(groupOnly?.data.resource.type).toBe('Group');
    expect(await workspaceIdsOf(org._id, id)).toEqual([]);

    const [provisioned] = await provision(org._id, [id]);
    const [outcome] = outcomesOf(provisioned?.correlationid ?? '');
    expect(outcome?.data.state).toEqual({ step: 'membership', workspaces: view(qa) });
    expect(await workspaceIdsOf(org._id, id)).toEqual([qa._id]);
  });

  it('re-evaluates default memberships when the org turns auto-capture on', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false, domains: ['example.com'] });
    const general = await createWorkspace(infra.db, org._id, 'General', true);
    const [listed, unlisted] = [randomUUID(), randomUUID()];
    await provision(org._id, [listed]);
    await provision(org._id, [unlisted], { email: `${unlisted}@elsewhere.io` });
    expect(await workspaceIdsOf(org._id, listed)).toEqual([]);

    await infra.db
      .collection<OrganizationDocument>(ORGANIZATIONS_COLLECTION)
      .updateOne({ _id: org._id }, { $set: { autoCapture: true } });
    const changed = envelope(
      'roster.org.settings.changed.v1',
      { source: '/roster/ingress', tenant: org._id, subject: org._id, correlationid: randomUUID() },
      {
        defaultLicense: org.defaultLicense,
        seatLimits: {},
        autoCapture: true,
        domains: org.domains,
        roleType: org.roleType,
      },
    );
    await produce(producer, 'orgChanges', changed);
    const [outcome] = await waitOutcomes(changed.id, 1);
    expect(outcome?.data).toMatchObject({
      commandId: changed.id,
      resource: { type: 'User', id: listed, sequence: 1 },
      state: { step: 'membership', workspaces: view(general) },
    });
    expect(await workspaceIdsOf(org._id, listed)).toEqual([general._id]);
    expect(await workspaceIdsOf(org._id, unlisted)).toEqual([]);
  });

  it('applies a v1 group change (published before the upgrade) as a replacement of the members', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const legal = await createWorkspace(infra.db, org._id, 'Legal');
    const [kept, dropped, joined] = [randomUUID(), randomUUID(), randomUUID()];
    await provision(org._id, [kept, dropped, joined]);
    const group = { id: randomUUID(), displayName: legal.name };
    const pushed = groupChanged(org._id, 1, group, replaced([kept, dropped]));
    await produce(producer, 'directoryChanges', pushed);
    await waitOutcomes(pushed.correlationid, 3);

    // the whole list: dropped is not in it, so dropped leaves (a v1 change names no removal)
    const listed = groupChangedV1(org._id, 2, { ...group, memberIds: [kept, joined] });
    await produce(producer, 'directoryChanges', listed);
    const outcomes = await waitOutcomes(listed.correlationid, 3);
    expect(outcomes.map((o) => `${o.data.resource.type}:${o.data.resource.id}`).sort()).toEqual(
      [`User:${dropped}`, `User:${joined}`, `Group:${group.id}`].sort(),
    );
    expect(
      outcomes.every((o) => o.causationid === listed.id && o.data.commandId === listed.data.commandId),
    ).toBe(true);
    expect(await workspaceIdsOf(org._id, kept)).toEqual([legal._id]);
    expect(await workspaceIdsOf(org._id, joined)).toEqual([legal._id]);
    expect(await workspaceIdsOf(org._id, dropped)).toEqual([]);
  });

  it('applies a group larger than one convergence batch', async () => {
    const org = await createOrganization(infra.db, { autoCapture: false });
    const all = await createWorkspace(infra.db, org._id, 'All hands');
    const ids = Array.from({ length: CONVERGE_BATCH + CONVERGE_BATCH / 2 }, () => randomUUID());
    await provision(org._id, ids);
    const pushed = groupChanged(org._id, 1, { id: randomUUID(), displayName: all.name }, replaced(ids));
    await produce(producer, 'directoryChanges', pushed);
    const outcomes = await waitOutcomes(pushed.correlationid, ids.length + 1);
    expect(outcomes.filter((o) => o.data.resource.type === 'User').length).toBe(ids.length);
    expect(await members().countDocuments({ tenant: org._id, workspaceId: all._id })).toBe(ids.length);

    const removed = groupChanged(
      org._id,
      2,
      { id: pushed.data.group.id, displayName: all.name },
      replaced([]),
      'deleted',
    );
    await produce(producer, 'directoryChanges', removed);
    await waitOutcomes(removed.correlationid, ids.length + 1);
    expect(await members().countDocuments({ tenant: org._id })).toBe(0);
  });
});
