import type { GroupAttributes, UserAttributes } from './resources.ts';
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

export interface ProvisioningView {
  license: string | null;
  role: string;
  workspaces: string[];
  contentTransfer: { state: string; toUserId?: string; folder?: string };
  steps: Record<string, { result: string; reason?: string; at: string }>;
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
    ...(doc.provisioning ? { [SCHEMA.rosterUser]: doc.provisioning } : {}),
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
