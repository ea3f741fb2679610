import type { LifecycleEvent } from '@roster/contracts';
import type { Collection, Db } from 'mongodb';

/** Lifecycle events decided by folding one outcome, kept until published (keyed by the outcome id). */
export interface PendingLifecycle {
  _id: string;
  events: LifecycleEvent[];
  published: boolean;
}

export const LIFECYCLE_OUTBOX_COLLECTION = 'lifecycle_outbox';

/**
 * The `lifecycle_outbox` collection: the events each folded outcome announces are stored under the
 * outcome's id before the view changes, so a crash neither loses nor repeats one.
 */
export class LifecycleOutbox {
  readonly #pending: Collection<PendingLifecycle>;

  constructor(db: Db) {
    this.#pending = db.collection<PendingLifecycle>(LIFECYCLE_OUTBOX_COLLECTION);
  }

  /** Entries are found by their id alone: no index beyond `_id`. */
  async ensureIndexes(): Promise<void> {}

  find(outcomeId: string): Promise<PendingLifecycle | null> {
    return this.#pending.findOne({ _id: outcomeId });
  }

  async add(pending: PendingLifecycle): Promise<void> {
    await this.#pending.insertOne(pending);
  }

  async markPublished(outcomeId: string): Promise<void> {
    await this.#pending.updateOne({ _id: outcomeId }, { $set: { published: true } });
  }
}
