/** Schema URNs (RFC 7643 §8.7) plus Roster's own extensions. */
export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  rosterUser: 'urn:roster:params:scim:schemas:extension:provisioning:1.0:User',
  rosterGroup: 'urn:roster:params:scim:schemas:extension:workspace-link:1.0:Group',
} as const;

export const MESSAGE = {
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
} as const;

export type SchemaUrn = (typeof SCHEMA)[keyof typeof SCHEMA];
