import type { ContentTransferDocument, ContentUserDocument } from '@roster/contracts';
import { newTransfer } from './transfer.ts';
import type { UserChangeInput } from './user-change.ts';

export type UserDecision =
  /** sequence at or below the one recorded: a redelivery (or an older change), nothing to write */
  | { kind: 'redelivery' }
  | {
      kind: 'apply';
      user: ContentUserDocument;
      /** a real deactivation (active → inactive, or first seen inactive) starts this transfer */
      transfer: ContentTransferDocument | null;
      /** a reactivation cancels the user's transfer if it is still waiting for an admin */
      cancelIfWaiting: string | null;
    };

export const userKey = (tenant: string, userId: string): string => `${tenant}:${userId}`;

export const isActiveAdmin = (u: Pick<ContentUserDocument, 'active' | 'organizationAdmin'>): boolean =>
  u.active && u.organizationAdmin;

/**
 * Decides one user change against the projection this service keeps. Pure: the same previous
 * state and change always give the same decision, so a redelivery after a crash between the
 * writes re-creates exactly the same documents.
 */
export const decideUserChange = (prev: ContentUserDocument | null, change: UserChangeInput): UserDecision => {
  if (prev && prev.sequence >= change.sequence) return { kind: 'redelivery' };
  const snapshot = change.user;
  const activeAdmin = snapshot.active && snapshot.organizationAdmin;
  const deactivation = !snapshot.active && (prev === null || prev.active);
  const reactivation = snapshot.active && prev !== null && !prev.active;
  const transfer = deactivation ? newTransfer(change) : null;
  const user: ContentUserDocument = {
    _id: userKey(change.tenant, snapshot.id),
    tenant: change.tenant,
    userId: snapshot.id,
    email: snapshot.email,
    active: snapshot.active,
    organizationAdmin: snapshot.organizationAdmin,
    adminSince: activeAdmin ? (prev?.adminSince ?? new Date(change.time).toISOString()) : null,
    sequence: change.sequence,
    latestTransferId: transfer?._id ?? prev?.latestTransferId ?? null,
    updatedAt: change.time,
  };
  return {
    kind: 'apply',
    user,
    transfer,
    cancelIfWaiting: reactivation ? (prev?.latestTransferId ?? null) : null,
  };
};

/**
 * The oldest Organization Admin: the active admin with the earliest admin-since, ties broken by
 * user id; never the departing user.
 */
export const selectOldestAdmin = <U extends ContentUserDocument>(
  candidates: readonly U[],
  departingUserId: string,
): U | null => {
  let best: U | null = null;
  for (const c of candidates) {
    if (!isActiveAdmin(c) || c.adminSince === null || c.userId === departingUserId) continue;
    if (
      best === null ||
      c.adminSince < best.adminSince! ||
      (c.adminSince === best.adminSince && c.userId < best.userId)
    )
      best = c;
  }
  return best;
};
