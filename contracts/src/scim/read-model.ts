import type { Step } from '../directory-changes.ts';
import type { TransferState } from '../outcomes.ts';
import type { GroupAttributes, License, OrgRole, UserAttributes } from './resources.ts';
import { SCHEMA } from './urns.ts';

/**
 * The SCIM read model: how the status service stores users and groups in MongoDB (it is the only
 * writer) and how the ingress reads and renders them. Field paths here are what the filter
 * translator targets.
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

const scimMeta = (resourceType: 'User' | 'Group', id: string, meta: ResourceMeta, baseUrl: string) => ({
  resourceType,
  created: meta.created,
  lastModified: meta.lastModified,
  version: `W/"${meta.version}"`,
  location: `${baseUrl}/${resourceType}s/${id}`,
});

/** The Roster provisioning extension as declared in /Schemas (steps as a multi-valued list). */
const renderProvisioning = (view: ProvisioningView) => ({
  license: view.license,
  role: view.role,
  workspaces: view.workspaces.map((w) => w.name),
  contentTransfer: {
    state: view.contentTransfer.state,
    ...(view.contentTransfer.toUserId ? { toUserId: view.contentTransfer.toUserId } : {}),
    ...(view.contentTransfer.folder ? { folder: view.contentTransfer.folder } : {}),
  },
  steps: Object.entries(view.steps).map(([name, status]) => ({
    name,
    state: status.state,
    ...(status.detail ? { detail: status.detail } : {}),
    updated: status.updated,
  })),
});

/** A stored user as SCIM JSON (before attribute projection). */
export const renderUser = (doc: UserDocument, baseUrl: string): Record<string, unknown> => {
  const { enterprise, ...core } = doc.resource;
  return {
    schemas: [
      SCHEMA.user,
      ...(enterprise ? [SCHEMA.enterpriseUser] : []),
      ...(doc.provisioning ? [SCHEMA.rosterUser] : []),
    ],
    id: doc._id,
    ...core,
    ...(enterprise ? { [SCHEMA.enterpriseUser]: enterprise } : {}),
    ...(doc.provisioning ? { [SCHEMA.rosterUser]: renderProvisioning(doc.provisioning) } : {}),
    meta: scimMeta('User', doc._id, doc.meta, baseUrl),
  };
};

/** A stored group as SCIM JSON; member `$ref`s point at the Users endpoint. */
export const renderGroup = (doc: GroupDocument, baseUrl: string): Record<string, unknown> => ({
  schemas: [SCHEMA.group, ...(doc.workspaceLink ? [SCHEMA.rosterGroup] : [])],
  id: doc._id,
  ...doc.resource,
  members: doc.resource.members.map((m) => ({ ...m, type: 'User', $ref: `${baseUrl}/Users/${m.value}` })),
  ...(doc.workspaceLink ? { [SCHEMA.rosterGroup]: doc.workspaceLink } : {}),
  meta: scimMeta('Group', doc._id, doc.meta, baseUrl),
});
