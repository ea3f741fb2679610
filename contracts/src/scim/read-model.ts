import type { Step } from '../directory-changes.ts';
import type { TransferState } from '../outcomes.ts';
import type { GroupAttributes, License, OrgRole, UserAttributes } from './resources.ts';

/**
 * The SCIM read model: how the status service stores users and groups in MongoDB (it is the only
 * writer) and how the ingress reads them (@roster/scim renders them as SCIM JSON). Field paths
 * here are what the filter translator targets.
 */

export interface ResourceMeta {
  created: string;
  lastModified: string;
  version: number;
}

export interface StepStatus {
  state: 'succeeded' | 'rejected' | 'failed';
  detail?: string;
  updated: string;
  commandId: string;
  /** The directory change sequence the step answered; an older report never overrides a newer one. */
  sequence: number;
}

/** What the step consumers did for a user, as folded by the status service from their outcomes. */
export interface ProvisioningView {
  license: License | null;
  role: OrgRole;
  workspaces: { id: string; name: string }[];
  contentTransfer: { state: TransferState; toUserId?: string; folder?: string; itemsMoved?: number };
  steps: Partial<Record<Step, StepStatus>>;
}

export interface UserDocument {
  _id: string;
  tenant: string;
  /** userName lower-cased: unique per tenant, and the index behind `userName eq` lookups. */
  userNameKey: string;
  resource: UserAttributes;
  /** DELETE /Users/{id} happened: invisible to SCIM, the account itself is kept. */
  scimDeleted: boolean;
  meta: ResourceMeta;
  provisioning?: ProvisioningView;
}

/** A group's own attributes; its members are documents of their own (GroupMemberDocument). */
export type GroupProperties = Omit<GroupAttributes, 'members'>;

export interface GroupDocument {
  _id: string;
  tenant: string;
  resource: GroupProperties;
  memberCount: number;
  meta: ResourceMeta;
}

/**
 * One member of one group. Members are stored apart from their group so that a change of a
 * 100,000-member group reads and writes only the members it names, and a group is read without
 * its members unless they are shown.
 */
export interface GroupMemberDocument {
  /** `${tenant}:${groupId}:${userId}` */
  _id: string;
  tenant: string;
  groupId: string;
  userId: string;
}

/** A group as SCIM shows it: with its members (when shown) and its workspace link (read at request time). */
export interface GroupView extends Omit<GroupDocument, 'resource'> {
  resource: GroupAttributes;
  workspaceLink?: { state: 'linked' | 'unlinked'; workspaceId?: string };
}

export const groupMemberId = (tenant: string, groupId: string, userId: string): string =>
  `${tenant}:${groupId}:${userId}`;

export const USERS_COLLECTION = 'users';
export const GROUPS_COLLECTION = 'groups';
export const GROUP_MEMBERS_COLLECTION = 'group_members';
