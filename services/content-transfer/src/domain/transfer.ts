import type { ContentTransferDocument, StepState } from '@roster/contracts';
import type { UserChangeInput } from './user-change.ts';

/**
 * The transfer state machine (pure):
 *
 *   pending ──no admin──▶ pending_admin ──admin appears──▶ in_progress ──batches──▶ done
 *      └──────────────admin exists──────────────────────────────┘
 *   pending_admin ──user reactivated──▶ cancelled (nothing moved; the content stays with the user)
 *
 * `done` and `cancelled` are final. The shell applies each transition as a conditional MongoDB
 * update on the state it started from, so two runners (or a redelivery) never apply one twice.
 */

export const transferId = (tenant: string, userId: string, sequence: number): string =>
  `${tenant}:${userId}:${sequence}`;

export const newTransfer = (change: UserChangeInput): ContentTransferDocument => {
  const at = new Date(change.time).toISOString();
  return {
    _id: transferId(change.tenant, change.user.id, change.sequence),
    tenant: change.tenant,
    userId: change.user.id,
    sequence: change.sequence,
    commandId: change.commandId,
    changeId: change.changeId,
    correlationid: change.correlationid,
    ...(change.traceparent ? { traceparent: change.traceparent } : {}),
    state: 'pending',
    toUserId: null,
    folder: change.user.email,
    itemsMoved: 0,
    lease: null,
    createdAt: at,
    updatedAt: at,
  };
};

export type TransferEvent =
  | { type: 'AdminMissing'; at: string }
  | { type: 'Started'; toUserId: string; owner: string; leaseUntil: string; at: string }
  | { type: 'LeaseTaken'; owner: string; leaseUntil: string; at: string }
  | { type: 'BatchMoved'; itemsMoved: number; leaseUntil: string; at: string }
  | { type: 'Completed'; itemsMoved: number; at: string }
  | { type: 'Cancelled'; at: string };

export const isFinal = (t: Pick<ContentTransferDocument, 'state'>): boolean =>
  t.state === 'done' || t.state === 'cancelled';

/** Applies one event; an event that does not fit the current state changes nothing. */
export const evolveTransfer = (t: ContentTransferDocument, e: TransferEvent): ContentTransferDocument => {
  switch (e.type) {
    case 'AdminMissing':
      return t.state === 'pending' ? { ...t, state: 'pending_admin', updatedAt: e.at } : t;
    case 'Started':
      return t.state === 'pending' || t.state === 'pending_admin'
        ? {
            ...t,
            state: 'in_progress',
            toUserId: e.toUserId,
            lease: { owner: e.owner, until: e.leaseUntil },
            startedAt: e.at,
            updatedAt: e.at,
          }
        : t;
    case 'LeaseTaken':
      return t.state === 'in_progress'
        ? { ...t, lease: { owner: e.owner, until: e.leaseUntil }, updatedAt: e.at }
        : t;
    case 'BatchMoved':
      return t.state === 'in_progress' && t.lease
        ? { ...t, itemsMoved: e.itemsMoved, lease: { ...t.lease, until: e.leaseUntil }, updatedAt: e.at }
        : t;
    case 'Completed':
      return t.state === 'in_progress'
        ? { ...t, state: 'done', itemsMoved: e.itemsMoved, lease: null, completedAt: e.at, updatedAt: e.at }
        : t;
    case 'Cancelled':
      return t.state === 'pending_admin' || t.state === 'pending'
        ? { ...t, state: 'cancelled', lease: null, updatedAt: e.at }
        : t;
  }
};

export type TransferStep =
  /** done or cancelled: nothing left to do */
  | { kind: 'finished' }
  /** no active admin: wait (pending → pending_admin) */
  | { kind: 'wait_admin' }
  /** an admin exists: start moving to them */
  | { kind: 'start'; toUserId: string }
  /** already moving: take the lease and move the next batches to the admin chosen at the start */
  | { kind: 'resume'; toUserId: string };

/** What a runner does next with a transfer, given the org's oldest admin now (excluding the departing user). */
export const nextStep = (
  t: ContentTransferDocument,
  oldestAdmin: { userId: string } | null,
): TransferStep => {
  if (isFinal(t)) return { kind: 'finished' };
  if (t.state === 'in_progress') return { kind: 'resume', toUserId: t.toUserId! };
  return oldestAdmin ? { kind: 'start', toUserId: oldestAdmin.userId } : { kind: 'wait_admin' };
};

/**
 * Whether `owner` (the directory change whose handler wants to run the transfer) may run it now:
 * nobody holds it, the holder's lease ran out (it crashed), or it is the holder itself (its
 * message was redelivered after a crash).
 */
export const mayRun = (t: ContentTransferDocument, owner: string, now: string): boolean =>
  t.lease === null || t.lease.owner === owner || t.lease.until <= now;

/** The outcome state of a user's step given their latest transfer (none, or cancelled = `none`). */
export const outcomeState = (
  t: ContentTransferDocument | null,
): Extract<StepState, { step: 'content-transfer' }> => {
  if (!t || t.state === 'cancelled') return { step: 'content-transfer', state: 'none', itemsMoved: 0 };
  return {
    step: 'content-transfer',
    state: t.state,
    ...(t.toUserId ? { toUserId: t.toUserId } : {}),
    folder: t.folder,
    itemsMoved: t.itemsMoved,
  };
};
