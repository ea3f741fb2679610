import type { UserAttributes } from '@roster/contracts';

/** A user as the directory holds it. The account outlives its SCIM resource (`scimDeleted`). */
export interface UserState {
  id: string;
  tenant: string;
  attributes: UserAttributes;
  scimDeleted: boolean;
  /** meta.version: grows with every change the IdP can see; the ETag is derived from it. */
  version: number;
  created: string;
  lastModified: string;
  /** A step rejected or failed the last change (e.g. no seat left): an unchanged repeat retries it. */
  needsResync?: boolean;
}

export type UserEvent =
  | { type: 'UserProvisioned'; id: string; tenant: string; attributes: UserAttributes; at: string }
  | { type: 'UserAttributesChanged'; attributes: UserAttributes; changed: string[]; at: string }
  | { type: 'UserDeactivated'; scimDeleted: boolean; at: string }
  | { type: 'UserScimDeleted'; at: string }
  | { type: 'UserReactivated'; at: string }
  | { type: 'UserResyncRequested'; at: string };
