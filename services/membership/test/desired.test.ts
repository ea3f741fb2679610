import { describe, expect, it } from 'vitest';
import {
  autoCaptures,
  type DesiredInput,
  defaultWorkspaceOf,
  desiredMemberships,
  emailDomain,
  type GroupProjection,
  linkedWorkspaces,
  planConvergence,
  sameWorkspaces,
  type UserProjection,
  type WorkspaceRef,
  workspaceViews,
} from '../src/domain/desired.ts';

const general: WorkspaceRef = {
  id: 'ws-general',
  name: 'General',
  isDefault: true,
  createdAt: '2026-01-01T00:00:00Z',
};
const marketing: WorkspaceRef = {
  id: 'ws-marketing',
  name: 'Marketing workspace',
  isDefault: false,
  createdAt: '2026-01-02T00:00:00Z',
};
const sales: WorkspaceRef = {
  id: 'ws-sales',
  name: 'Sales',
  isDefault: false,
  createdAt: '2026-01-03T00:00:00Z',
};
const workspaces = [general, marketing, sales];

const ada: UserProjection = {
  userId: 'u-ada',
  known: true,
  active: true,
  email: 'ada@Example.com',
  sequence: 1,
};
const captureOn = { autoCapture: true, domains: ['example.com'] };
const captureOff = { autoCapture: false, domains: ['example.com'] };

const group = (
  groupId: string,
  displayName: string,
  memberIds: string[],
  deleted = false,
): GroupProjection => ({
  groupId,
  displayName,
  memberIds,
  deleted,
});

const desired = (input: Partial<DesiredInput>) =>
  desiredMemberships({ user: ada, rule: captureOn, workspaces, groups: [], ...input });
const ids = (input: Partial<DesiredInput>) => desired(input).map((m) => m.workspaceId);

describe('auto-capture rule', () => {
  it('extracts the email domain, lower-cased', () => {
    expect(emailDomain('Ada.Lovelace@Example.COM')).toBe('example.com');
    expect(emailDomain('no-at-sign')).toBe('');
  });

  it('holds only when enabled and the domain is listed (case-insensitive)', () => {
    expect(autoCaptures(captureOn, 'ada@EXAMPLE.com')).toBe(true);
    expect(autoCaptures({ autoCapture: true, domains: ['Example.COM'] }, 'ada@example.com')).toBe(true);
    expect(autoCaptures(captureOff, 'ada@example.com')).toBe(false);
    expect(autoCaptures(captureOn, 'ada@other.org')).toBe(false);
    expect(autoCaptures(captureOn, 'ada@sub.example.com')).toBe(false);
    expect(autoCaptures(null, 'ada@example.com')).toBe(false);
  });

  it('puts an active user in the default workspace when the rule holds', () => {
    expect(desired({})).toEqual([
      { workspaceId: general.id, workspaceName: general.name, sources: [{ kind: 'default' }] },
    ]);
  });

  it('gives no default workspace when auto-capture is off or the domain is not listed', () => {
    expect(ids({ rule: captureOff })).toEqual([]);
    expect(ids({ user: { ...ada, email: 'ada@elsewhere.io' } })).toEqual([]);
    expect(ids({ rule: null })).toEqual([]);
  });

  it('gives no default workspace when the org has none', () => {
    expect(ids({ workspaces: [marketing, sales] })).toEqual([]);
  });

  it('takes the newest of two flagged default workspaces', () => {
    const newer = { ...sales, isDefault: true };
    expect(defaultWorkspaceOf([general, newer])?.id).toBe(newer.id);
    expect(defaultWorkspaceOf([marketing])).toBeUndefined();
  });
});

describe('pushed groups', () => {
  it('link to the workspace whose name equals the displayName exactly', () => {
    expect(linkedWorkspaces(group('g', marketing.name, []), workspaces)).toEqual([marketing]);
    expect(linkedWorkspaces(group('g', 'Marketing Workspace', []), workspaces)).toEqual([]);
    expect(linkedWorkspaces(group('g', `${marketing.name} `, []), workspaces)).toEqual([]);
    expect(linkedWorkspaces(group('g', marketing.name, [], true), workspaces)).toEqual([]);
  });

  it('give their members the linked workspace', () => {
    const groups = [group('g-m', marketing.name, [ada.userId])];
    expect(desired({ groups, rule: captureOff })).toEqual([
      {
        workspaceId: marketing.id,
        workspaceName: marketing.name,
        sources: [{ kind: 'group', groupId: 'g-m' }],
      },
    ]);
  });

  it('"Marketing Workspace" does not link to "Marketing workspace"', () => {
    const groups = [group('g-m', 'Marketing Workspace', [ada.userId])];
    expect(ids({ groups, rule: captureOff })).toEqual([]);
  });

  it('give nothing to users they do not list, nor while unlinked', () => {
    expect(ids({ groups: [group('g-m', marketing.name, ['someone-else'])], rule: captureOff })).toEqual([]);
    expect(ids({ groups: [group('g-x', 'No such workspace', [ada.userId])], rule: captureOff })).toEqual([]);
  });

  it('link as soon as a workspace of that name exists, unlink when it is renamed away', () => {
    const groups = [group('g-d', 'Design', [ada.userId])];
    const withoutDesign = { groups, rule: captureOff };
    expect(ids(withoutDesign)).toEqual([]);
    const design: WorkspaceRef = {
      id: 'ws-design',
      name: 'Design',
      isDefault: false,
      createdAt: '2026-02-01T00:00:00Z',
    };
    expect(ids({ ...withoutDesign, workspaces: [...workspaces, design] })).toEqual([design.id]);
    expect(
      ids({ ...withoutDesign, workspaces: [...workspaces, { ...design, name: 'Design team' }] }),
    ).toEqual([]);
  });

  it('merge sources: default and groups on one workspace, sorted by workspace name', () => {
    const groups = [
      group('g-s', sales.name, [ada.userId]),
      group('g-b', general.name, [ada.userId]),
      group('g-a', general.name, [ada.userId]),
    ];
    const result = desired({ groups });
    expect(result.map((m) => m.workspaceName)).toEqual([general.name, sales.name].sort());
    expect(result.find((m) => m.workspaceId === general.id)?.sources).toEqual([
      { kind: 'default' },
      { kind: 'group', groupId: 'g-a' },
      { kind: 'group', groupId: 'g-b' },
    ]);
  });
});

describe('deactivation and reactivation', () => {
  const groups = [group('g-m', marketing.name, [ada.userId]), group('g-s', sales.name, [ada.userId])];

  it('a deactivated user has no workspace at all', () => {
    expect(ids({ user: { ...ada, active: false }, groups })).toEqual([]);
  });

  it('reactivation restores the default workspace and the group-derived ones', () => {
    const before = ids({ groups });
    expect(ids({ user: { ...ada, active: false }, groups })).toEqual([]);
    expect(ids({ user: { ...ada, active: true }, groups })).toEqual(before);
    expect(before.sort()).toEqual([general.id, marketing.id, sales.id].sort());
  });

  it('reactivation without the capture rule restores only group-derived workspaces', () => {
    expect(ids({ user: { ...ada, active: true }, groups, rule: captureOff }).sort()).toEqual(
      [marketing.id, sales.id].sort(),
    );
  });

  it('a placeholder (a group member not yet seen as a user) has no workspace', () => {
    expect(ids({ user: { ...ada, known: false }, groups })).toEqual([]);
    expect(ids({ user: null, groups })).toEqual([]);
  });
});

describe('convergence plan', () => {
  const target = desired({ groups: [group('g-s', sales.name, [ada.userId])] });

  it('creates every desired membership from nothing, removes everything for an empty target', () => {
    expect(planConvergence([], target)).toEqual({ upsert: target, remove: [] });
    expect(planConvergence(target, [])).toEqual({ upsert: [], remove: target.map((m) => m.workspaceId) });
  });

  it('is empty once converged (nothing is written twice)', () => {
    expect(planConvergence(target, target)).toEqual({ upsert: [], remove: [] });
    const reordered = target.map((m) => ({ ...m, sources: [...m.sources].reverse() }));
    expect(planConvergence(reordered, target)).toEqual({ upsert: [], remove: [] });
  });

  it('updates a renamed workspace or changed sources', () => {
    const [first, ...rest] = target;
    if (!first) throw new Error('target is empty');
    const renamed = [{ ...first, workspaceName: 'Old name' }, ...rest];
    expect(planConvergence(renamed, target).upsert).toEqual([first]);
    const fewerSources = [{ ...first, sources: [] }, ...rest];
    expect(planConvergence(fewerSources, target).upsert).toEqual([first]);
  });

  it('compares reported workspaces by id and name only', () => {
    const [first] = target;
    if (!first) throw new Error('target is empty');
    expect(sameWorkspaces(target, [...target].reverse())).toBe(true);
    expect(sameWorkspaces(target, target.slice(1))).toBe(false);
    const withoutSources = { ...first, sources: [] };
    expect(sameWorkspaces([withoutSources], [first])).toBe(true);
    expect(sameWorkspaces([{ ...first, workspaceName: 'x' }], [first])).toBe(false);
    expect(workspaceViews(target)).toEqual(target.map((m) => ({ id: m.workspaceId, name: m.workspaceName })));
  });
});
