import { SCHEMA } from '@roster/contracts';
import type { ResourceTypeName } from './definitions.ts';

/** RFC 7643 §6 ResourceType resources served at /ResourceTypes (the HTTP layer adds `meta`). */
export const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

export interface ResourceTypeResource {
  readonly schemas: readonly [typeof RESOURCE_TYPE_URN];
  readonly id: ResourceTypeName;
  readonly name: ResourceTypeName;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
}

export const RESOURCE_TYPES: Readonly<Record<ResourceTypeName, ResourceTypeResource>> = {
  User: {
    schemas: [RESOURCE_TYPE_URN],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: SCHEMA.user,
    schemaExtensions: [
      { schema: SCHEMA.enterpriseUser, required: false },
      { schema: SCHEMA.rosterUser, required: false },
    ],
  },
  Group: {
    schemas: [RESOURCE_TYPE_URN],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group (pushed group, linked to the workspace of the same name)',
    schema: SCHEMA.group,
    schemaExtensions: [{ schema: SCHEMA.rosterGroup, required: false }],
  },
};
