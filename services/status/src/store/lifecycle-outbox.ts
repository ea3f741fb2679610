import type { LifecycleEvent } from '@roster/contracts';
import { ensureRetention, ignoringDuplicates, type RetentionSeconds } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';

/** Lifecycle events decided by folding one outcome, kept until published (keyed by the outcome id). */
export interface PendingLifecycle {
  _id: string;
  events: LifecycleEvent[];
  published: boolean;
  /** Set once published: only published entries expire, `retention` after this. */
  publishedAt?: Date;
}

export const LIFECYCLE_OUTBOX_COLLECTION = 'lifecycle_outbox';

/**
 * The `lifecycle_outbox` collection: the events each folded outcome announces are stored under the
 * outcome's id before the view changes, so a crash never loses one; a crash between publishing
 * and `markPublished` republishes the same events under the same ids (at-least-once). Published
 * entries expire `retention` after publication; unpublished ones stay until published.
 */
export class LifecycleOutbox {
  readonly #pending: Collection<PendingLifecycle>;
  readonly #retention: RetentionSeconds;

  constructor(db: Db, retention: RetentionSeconds) {
    this.#pending = db.collection<PendingLifecycle>(LIFECYCLE_OUTBOX_COLLECTION);
    this.#retention = retention;
  }

  /** Entries are found by their id alone: beyond `_id`, only the retention index. */
  async ensureIndexes(): Promise<void> {
    await ensureRetention(this.#pending, {
      name: 'retention',
      field: 'publishedAt',
      retention: this.#retention,
    });
  }

  /** The entries stored under these outcome ids, by id. */
  async find(outcomeIds: readonly string[]): Promise<Map<string, PendingLifecycle>> {
    if (outcomeIds.length === 0) return new Map();
    const found = await this.#pending.find({ _id: { $in: [...outcomeIds] } }).toArray();
    return new Map(found.map((entry) => [entry._id, entry]));
  }

  /** Stores new entries with one write; one already stored (a redelivery) stays as it is. */
  async add(pending: readonly PendingLifecycle[]): Promise<void> {
    if (pending.length === 0) return;
    await ignoringDuplicates(this.#pending.insertMany([...pending], { ordered: false }));
  }

  async markPublished(outcomeIds: readonly string[]): Promise<void> {
    if (outcomeIds.length === 0) return;
    await this.#pending.updateMany(
      { _id: { $in: [...outcomeIds] } },
      { $set: { published: true, publishedAt: new Date() } },
    );
  }
}
