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

export interface GroupDocument {
  _id: string;
  tenant: string;
  resource: GroupAttributes;
  meta: ResourceMeta;
  workspaceLink?: { state: 'linked' | 'unlinked'; workspaceId?: string };
}

export const USERS_COLLECTION = 'users';
export const GROUPS_COLLECTION = 'groups';
