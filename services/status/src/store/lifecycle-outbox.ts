import type { LifecycleEvent } from '@roster/contracts';
import { ensureRetention, type RetentionSeconds } from '@roster/service-kit';
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

  find(outcomeId: string): Promise<PendingLifecycle | null> {
    return this.#pending.findOne({ _id: outcomeId });
  }

  async add(pending: PendingLifecycle): Promise<void> {
    await this.#pending.insertOne(pending);
  }

  async markPublished(outcomeId: string): Promise<void> {
    await this.#pending.updateOne({ _id: outcomeId }, { $set: { published: true, publishedAt: new Date() } });
  }
}
