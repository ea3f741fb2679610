/**
 * Read model of the content-transfer service (its only writer). Other services read these
 * collections: the admin API lists content items (`GET /orgs/{orgId}/content?ownerUserId=&folder=`)
 * and can show a user's transfer records next to the provisioning state folded from outcomes.
 */

export const CONTENT_ITEMS_COLLECTION = 'content_items';
export const CONTENT_TRANSFERS_COLLECTION = 'content_transfers';
/** The service's own projection of users (admin flags, admin-since, last applied sequence). */
export const CONTENT_USERS_COLLECTION = 'content_users';

export type ContentKind = 'video' | 'folder';

/** Stamped on an item by the transfer that moved it (the latest one, if it moved more than once). */
export interface ContentItemTransferStamp {
  /** `content_transfers._id` */
  id: string;
  fromUserId: string;
  /** The item's folder before the move (the move puts it into the folder named with the email). */
  fromFolder: string | null;
  at: string;
}

export interface ContentItemDocument {
  _id: string;
  /** organization id */
  tenant: string;
  ownerUserId: string;
  title: string;
  kind: ContentKind;
  /** Folder name (flat); a transferred item sits in the folder named with its former owner's email. */
  folder: string | null;
  createdAt: string;
  transfer?: ContentItemTransferStamp;
}

/**
 * One deactivation's transfer. `pending`: recorded, target not chosen yet; `pending_admin`: the org
 * has no active Organization Admin, waiting for one; `in_progress`: moving batches to `toUserId`;
 * `done`: the user owned nothing more; `cancelled`: the user was reactivated while still
 * `pending_admin` (nothing had moved, the content stays with them).
 */
export type ContentTransferRecordState = 'pending' | 'pending_admin' | 'in_progress' | 'done' | 'cancelled';

export interface ContentTransferDocument {
  /** `${tenant}:${userId}:${sequence}` (sequence of the deactivating directory change) */
  _id: string;
  tenant: string;
  userId: string;
  /** directory change sequence of the deactivation */
  sequence: number;
  /** the deactivation: outcomes about this transfer answer it, whenever they are published */
  commandId: string;
  changeId: string;
  correlationid: string;
  traceparent?: string;
  state: ContentTransferRecordState;
  /** the oldest active Organization Admin at the time the transfer started moving */
  toUserId: string | null;
  /** the departing user's email: the folder the items move into */
  folder: string;
  /** exact: the number of items stamped with this transfer id */
  itemsMoved: number;
  /** who runs the batches now (the directory change whose handler runs it) and until when */
  lease: { owner: string; until: string } | null;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  completedAt?: string;
}

export interface ContentUserDocument {
  /** `${tenant}:${userId}` */
  _id: string;
  tenant: string;
  userId: string;
  email: string;
  active: boolean;
  organizationAdmin: boolean;
  /** when this service first saw the user as an active admin (null while not an active admin) */
  adminSince: string | null;
  /** last applied directory change sequence (changes at or below it are redeliveries) */
  sequence: number;
  /** the latest transfer of this user (`content_transfers._id`), if any */
  latestTransferId: string | null;
  updatedAt: string;
}
