import type { MembershipSource } from '@roster/contracts';

/**
 * The pure core of the membership step: a user's desired workspace set is a function of the
 * service's own projections (user, groups) and the admin API's org settings and workspaces.
 * No I/O here.
 */

/** What the membership service remembers of a directory user. */
export interface UserProjection {
  userId: string;
  /** false for a placeholder: a pushed group named the user before its first user change arrived */
  known: boolean;
  active: boolean;
  email: string;
  /** last directory sequence applied (0 for a placeholder) */
  sequence: number;
}

/** What the membership service remembers of a pushed group. */
export interface GroupProjection {
  groupId: string;
  displayName: string;
  /** its members among the users considered (the store loads no more: a group can be huge) */
  memberIds: string[];
  deleted: boolean;
}

export interface WorkspaceRef {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: string;
}

export interface CaptureRule {
  autoCapture: boolean;
  domains: string[];
}

export interface DesiredMembership {
  workspaceId: string;
  workspaceName: string;
  sources: MembershipSource[];
}

export interface WorkspaceView {
  id: string;
  name: string;
}

/** The domain of an email address, lower-cased; '' when it has none. */
export const emailDomain = (email: string): string => {
  const at = email.lastIndexOf('@');
  return at < 0
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase();
};

/** Auto-capture holds when the org enables it and the email's domain is listed (case-insensitive). */
export const autoCaptures = (rule: CaptureRule | null, email: string): boolean => {
  if (!rule?.autoCapture) return false;
  const domain = emailDomain(email);
  return domain !== '' && rule.domains.some((d) => d.trim().toLowerCase() === domain);
};

/** The org's default workspace; should two be flagged (a demotion in flight), the newest wins. */
export const defaultWorkspaceOf = (workspaces: readonly WorkspaceRef[]): WorkspaceRef | undefined =>
  workspaces
    .filter((w) => w.isDefault)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))[0];

/** Workspaces a group links to: those whose name equals its displayName exactly (case and spaces). */
export const linkedWorkspaces = (
  group: Pick<GroupProjection, 'displayName' | 'deleted'>,
  workspaces: readonly WorkspaceRef[],
): WorkspaceRef[] => (group.deleted ? [] : workspaces.filter((w) => w.name === group.displayName));

const sourceKey = (s: MembershipSource): string =>
  s.kind === 'default' ? '0:default' : `1:group:${s.groupId}`;

const byName = (a: { workspaceName: string; workspaceId: string }, b: typeof a): number =>
  a.workspaceName.localeCompare(b.workspaceName) || a.workspaceId.localeCompare(b.workspaceId);

export interface DesiredInput {
  user: UserProjection | null;
  rule: CaptureRule | null;
  workspaces: readonly WorkspaceRef[];
  /** the groups to consider; only those listing the user as a member count */
  groups: readonly GroupProjection[];
}

/**
 * desired(user) = [default workspace, if the capture rule holds] ∪ [workspaces of linked groups
 * containing the user], when the user is active; nothing otherwise. Sorted by workspace name.
 */
export const desiredMemberships = ({ user, rule, workspaces, groups }: DesiredInput): DesiredMembership[] => {
  if (!user?.known || !user.active) return [];
  const memberships = new Map<string, DesiredMembership>();
  const add = (workspace: WorkspaceRef, source: MembershipSource) => {
    const entry = memberships.get(workspace.id) ?? {
      workspaceId: workspace.id,
      workspaceName: workspace.name,
      sources: [],
    };
    if (!entry.sources.some((s) => sourceKey(s) === sourceKey(source))) entry.sources.push(source);
    memberships.set(workspace.id, entry);
  };
  const fallback = defaultWorkspaceOf(workspaces);
  if (fallback && autoCaptures(rule, user.email)) add(fallback, { kind: 'default' });
  for (const group of groups) {
    if (!group.memberIds.includes(user.userId)) continue;
    for (const workspace of linkedWorkspaces(group, workspaces))
      add(workspace, { kind: 'group', groupId: group.groupId });
  }
  return [...memberships.values()]
    .map((m) => ({ ...m, sources: m.sources.sort((a, b) => sourceKey(a).localeCompare(sourceKey(b))) }))
    .sort(byName);
};

/** The workspaces an outcome reports, sorted by name. */
export const workspaceViews = (
  memberships: readonly { workspaceId: string; workspaceName: string }[],
): WorkspaceView[] =>
  [...memberships].sort(byName).map((m) => ({ id: m.workspaceId, name: m.workspaceName }));

/** Whether two membership lists report the same workspaces (ids and names). */
export const sameWorkspaces = (
  a: readonly { workspaceId: string; workspaceName: string }[],
  b: readonly { workspaceId: string; workspaceName: string }[],
): boolean => {
  const key = (list: typeof a) =>
    workspaceViews(list)
      .map((w) => `${w.id}\u0000${w.name}`)
      .join('\u0001');
  return key(a) === key(b);
};

export interface ActualMembership {
  workspaceId: string;
  workspaceName: string;
  sources: MembershipSource[];
}

export interface ConvergencePlan {
  /** memberships to create or update (name or sources differ) */
  upsert: DesiredMembership[];
  /** workspace ids the user must leave */
  remove: string[];
}

const sameSources = (a: readonly MembershipSource[], b: readonly MembershipSource[]): boolean =>
  a.map(sourceKey).sort().join('\u0001') === b.map(sourceKey).sort().join('\u0001');

/** The writes that turn a user's actual memberships into the desired ones (empty when converged). */
export const planConvergence = (
  actual: readonly ActualMembership[],
  desired: readonly DesiredMembership[],
): ConvergencePlan => {
  const current = new Map(actual.map((m) => [m.workspaceId, m]));
  const wanted = new Set(desired.map((m) => m.workspaceId));
  return {
    upsert: desired.filter((m) => {
      const existing = current.get(m.workspaceId);
      return (
        !existing || existing.workspaceName !== m.workspaceName || !sameSources(existing.sources, m.sources)
      );
    }),
    remove: actual.filter((m) => !wanted.has(m.workspaceId)).map((m) => m.workspaceId),
  };
};
