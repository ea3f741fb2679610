import type { ContentTransferDocument } from '@roster/contracts';
import type { Clock, Logger } from '@roster/service-kit';
import { mayRun, nextStep } from '../domain/transfer.ts';
import { selectOldestAdmin } from '../domain/users.ts';
import type { ContentStore } from '../store/content.ts';
import { movingBatch } from './batch-telemetry.ts';

export interface RunnerDeps {
  store: ContentStore;
  log: Logger;
  /** items per batch */
  batchSize: number;
  /** pause after each batch (demos and the crash test; 0 in production) */
  batchDelayMs: number;
  /** how long a runner holds a transfer without renewing (renewed every batch) */
  leaseMs: number;
  clock: Clock;
  /** true once the service is stopping: a running transfer stops between batches (resumed later) */
  isStopping?: () => boolean;
}

/** Thrown between batches when the service stops: the message is not committed, its redelivery resumes. */
export class TransferInterrupted extends Error {
  constructor(id: string) {
    super(`transfer ${id} interrupted by shutdown; it resumes on redelivery`);
    this.name = 'TransferInterrupted';
  }
}

export interface RunResult {
  transfer: ContentTransferDocument;
  /** this run moved the transfer into a new state (pending_admin, in_progress or done) */
  changed: boolean;
}

/** Between batches: keep the consumer's group membership alive (kafkajs `heartbeat()`). */
export type Heartbeat = () => Promise<void>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one transfer as far as it can go: waits for an admin (pending_admin), or takes the lease
 * and moves batches until the departing user owns nothing, then marks it done. `owner` is the
 * directory change whose handler runs it: the same message redelivered after a crash takes its
 * own lease back at once; anyone else waits for the lease to run out.
 */
export const runTransfer = async (
  deps: RunnerDeps,
  id: string,
  owner: string,
  heartbeat: Heartbeat,
  onProgress: (t: ContentTransferDocument) => Promise<void>,
): Promise<RunResult> => {
  const { store } = deps;
  const iso = () => deps.clock.now();
  const leaseUntil = () => new Date(Date.parse(deps.clock.now()) + deps.leaseMs).toISOString();
  const reload = async () => {
    const t = await store.findTransfer(id);
    if (!t) throw new Error(`transfer ${id} vanished`);
    return t;
  };
  let changed = false;
  let t = await reload();

  // Phase 1: get hold of the transfer (or find out that it waits / is someone else's / is over).
  for (;;) {
    const waiting = t.state === 'pending' || t.state === 'pending_admin';
    const admin = waiting ? selectOldestAdmin(await store.activeAdmins(t.tenant), t.userId) : null;
    const step = nextStep(t, admin);
    if (step.kind === 'finished') return { transfer: t, changed };
    if (step.kind === 'wait_admin') {
      if (t.state === 'pending_admin') return { transfer: t, changed };
      const next = await store.transition(t, { type: 'AdminMissing', at: iso() });
      if (!next) {
        t = await reload();
        continue;
      }
      t = next;
      changed = true;
      deps.log.info({ transfer: t._id }, 'no active organization admin: transfer waits');
      // An admin promoted meanwhile on another partition may have looked before we wrote
      // pending_admin: look once more, so the transfer never waits while an admin exists.
      if (selectOldestAdmin(await store.activeAdmins(t.tenant), t.userId)) continue;
      return { transfer: t, changed };
    }
    if (step.kind === 'start') {
      const next = await store.transition(t, {
        type: 'Started',
        toUserId: step.toUserId,
        owner,
        leaseUntil: leaseUntil(),
        at: iso(),
      });
      if (!next) {
        t = await reload();
        continue;
      }
      t = next;
      changed = true;
      deps.log.info({ transfer: t._id, toUserId: t.toUserId }, 'transfer started');
      break;
    }
    // resume
    const now = iso();
    if (!mayRun(t, owner, now)) return { transfer: t, changed };
    const next = await store.transition(
      t,
      { type: 'LeaseTaken', owner, leaseUntil: leaseUntil(), at: now },
      { $or: [{ lease: null }, { 'lease.owner': owner }, { 'lease.until': { $lte: now } }] },
    );
    if (!next) {
      t = await reload();
      continue;
    }
    t = next;
    deps.log.info({ transfer: t._id, itemsMoved: t.itemsMoved }, 'transfer resumed');
    break;
  }

  // Phase 2: move batches while we hold the lease.
  let reported = false;
  for (;;) {
    const current = t;
    const looked = await movingBatch(current, () => store.moveBatch(current, deps.batchSize, iso()));
    const itemsMoved = await store.countMoved(t._id);
    const held = { 'lease.owner': owner };
    if (looked < deps.batchSize) {
      const done = await store.transition(t, { type: 'Completed', itemsMoved, at: iso() }, held);
      if (!done) return { transfer: await reload(), changed };
      deps.log.info({ transfer: t._id, itemsMoved }, 'transfer done');
      return { transfer: done, changed: true };
    }
    const next = await store.transition(
      t,
      { type: 'BatchMoved', itemsMoved, leaseUntil: leaseUntil(), at: iso() },
      held,
    );
    if (!next) {
      // our lease ran out and another runner took over: it finishes the job
      deps.log.warn({ transfer: t._id }, 'lost the transfer lease; leaving it to its new runner');
      return { transfer: await reload(), changed };
    }
    t = next;
    if (!reported) {
      reported = true;
      await onProgress(t);
    }
    await heartbeat();
    if (deps.batchDelayMs > 0) await sleep(deps.batchDelayMs);
    if (deps.isStopping?.()) throw new TransferInterrupted(t._id);
  }
};
