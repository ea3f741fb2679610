/**
 * Schema URNs (RFC 7643 §8.7) plus Roster's own extensions. They travel: every AttributeRef and
 * PatchPath in a command names its schema by one of these.
 */
export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  rosterUser: 'urn:roster:params:scim:schemas:extension:provisioning:1.0:User',
  rosterGroup: 'urn:roster:params:scim:schemas:extension:workspace-link:1.0:Group',
} as const;

export type SchemaUrn = (typeof SCHEMA)[keyof typeof SCHEMA];

/** The `schemas` of the ScimErrorBody in command results; the other message URNs are @roster/scim's. */
export const ERROR_MESSAGE_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
