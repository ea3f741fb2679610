/**
 * Workspace membership read model. The membership service is the only writer of
 * `workspace_members`; any service (the status service, the admin API) may read it.
 *
 * One document per (workspace, user). "A user's workspaces" is one indexed query:
 * `db.collection(WORKSPACE_MEMBERS_COLLECTION).find({ tenant, userId })` (index `tenant_user`);
 * "the members of a workspace" is `find({ tenant, workspaceId })` (index `tenant_workspace`).
 * A deactivated user has no document at all.
 */

export const WORKSPACE_MEMBERS_COLLECTION = 'workspace_members';

/** Why a user is a member: the org's default workspace (auto-capture) and/or a linked pushed group. */
export type MembershipSource = { kind: 'default' } | { kind: 'group'; groupId: string };

export interface WorkspaceMemberDocument {
  /** `${workspaceId}:${userId}` (see `workspaceMemberId`) */
  _id: string;
  tenant: string;
  workspaceId: string;
  /** The workspace's current name, kept up to date on rename (so one query yields names too). */
  workspaceName: string;
  userId: string;
  /** Never empty: a membership without a source is removed. Default first, then groups by id. */
  sources: MembershipSource[];
  /** When this membership began (ISO 8601); a membership that ends and begins again restarts it. */
  since: string;
  updatedAt: string;
}

export const workspaceMemberId = (workspaceId: string, userId: string): string => `${workspaceId}:${userId}`;
