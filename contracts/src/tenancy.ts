import type { License } from './scim/resources.ts';

/**
 * Tenancy documents in MongoDB. The ingress's admin API is their only writer; every other
 * service reads them (org settings such as the role type and default license).
 */

export const ORGANIZATIONS_COLLECTION = 'organizations';
export const WORKSPACES_COLLECTION = 'workspaces';
export const SCIM_TOKENS_COLLECTION = 'scim_tokens';

/** The role type IdP setups already use for `roles: [{type, value: "organization-admin"}]`. */
export const DEFAULT_ROLE_TYPE = 'synthesia_role';

export interface OrganizationDocument {
  _id: string;
  name: string;
  /** Email domains whose users auto-capture into the default workspace. */
  domains: string[];
  autoCapture: boolean;
  /** SCIM tokens can only be issued once SSO is configured (IdP setups require SSO first). */
  ssoConfigured: boolean;
  defaultLicense: License;
  roleType: string;
  /** Seats per license type; absent = unlimited. */
  seatLimits: Partial<Record<License, number>>;
  createdAt: string;
}

export interface WorkspaceDocument {
  _id: string;
  tenant: string;
  name: string;
  isDefault: boolean;
  createdAt: string;
}

export interface ScimTokenDocument {
  _id: string;
  tenant: string;
  /** SHA-256 of the secret part; the token itself is shown once, at issue. */
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
  /** Set on rotation: the old token keeps working until then, so IdP config can be swapped safely. */
  expiresAt?: string;
}
