import {
  type GroupView,
  type ProvisioningView,
  type ResourceMeta,
  SCHEMA,
  type UserDocument,
} from '@roster/contracts';
import { etagOf } from '../versions.ts';

/** Read-model documents (@roster/contracts' read-model.ts) as SCIM JSON, before attribute projection. */

const scimMeta = (resourceType: 'User' | 'Group', id: string, meta: ResourceMeta, baseUrl: string) => ({
  resourceType,
  created: meta.created,
  lastModified: meta.lastModified,
  version: etagOf(meta.version),
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
export const renderGroup = (doc: GroupView, baseUrl: string): Record<string, unknown> => ({
  schemas: [SCHEMA.group, ...(doc.workspaceLink ? [SCHEMA.rosterGroup] : [])],
  id: doc._id,
  ...doc.resource,
  members: doc.resource.members.map((m) => ({ ...m, type: 'User', $ref: `${baseUrl}/Users/${m.value}` })),
  ...(doc.workspaceLink ? { [SCHEMA.rosterGroup]: doc.workspaceLink } : {}),
  meta: scimMeta('Group', doc._id, doc.meta, baseUrl),
});
