import { ensureRetention, type RetentionSeconds } from '@roster/service-kit';
import type { ClientSession, Collection, Db } from 'mongodb';
import type { OrgChange } from '../pipeline/org-events.ts';

/** An org change committed with the admin change it announces, kept until published (keyed by its event id). */
export interface OutboxEntry {
  _id: string;
  tenant: string;
  /** The entry's place in its org's commit order (1, 2, …). */
  seq: number;
  event: OrgChange;
  committedAt: Date;
  published: boolean;
  /** Set once published: only published entries expire, `retention` after this. */
  publishedAt?: Date;
}

interface OrgSequence {
  _id: string;
  seq: number;
}

export const ORG_CHANGE_OUTBOX_COLLECTION = 'org_change_outbox';
export const ORG_CHANGE_SEQUENCES_COLLECTION = 'org_change_sequences';

const NAMESPACE_EXISTS = 48;

/**
 * The `org_change_outbox` collection: each admin change adds its announcement in the same
 * transaction, numbered by a per-org counter (`org_change_sequences`). Two transactions of one org
 * both write its counter, so one of them conflicts and re-runs after the other committed: the
 * numbers follow the commit order, and the relay publishes pending entries in that order.
 */
export class OrgChangeOutbox {
  readonly #db: Db;
  readonly #entries: Collection<OutboxEntry>;
  readonly #sequences: Collection<OrgSequence>;
  readonly #retention: RetentionSeconds;

  constructor(db: Db, retention: RetentionSeconds) {
    this.#db = db;
    this.#entries = db.collection<OutboxEntry>(ORG_CHANGE_OUTBOX_COLLECTION);
    this.#sequences = db.collection<OrgSequence>(ORG_CHANGE_SEQUENCES_COLLECTION);
    this.#retention = retention;
  }

  async ensureIndexes(): Promise<void> {
    // Created up front: a transaction's first counter would otherwise create the collection.
    await this.#db.createCollection(ORG_CHANGE_SEQUENCES_COLLECTION).catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== NAMESPACE_EXISTS) throw err;
    });
    await this.#entries.createIndexes([
      { key: { tenant: 1, seq: 1 }, name: 'tenant_seq', unique: true },
      { key: { published: 1, tenant: 1, seq: 1 }, name: 'pending' },
    ]);
    await ensureRetention(this.#entries, {
      name: 'retention',
      field: 'publishedAt',
      retention: this.#retention,
    });
  }

  /** Adds `event` to its org's pending announcements, inside the caller's transaction. */
  async add(session: ClientSession, event: OrgChange, now = new Date()): Promise<void> {
    const counter = await this.#sequences.findOneAndUpdate(
      { _id: event.tenant },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after', session },
    );
    await this.#entries.insertOne(
      { _id: event.id, tenant: event.tenant, seq: counter!.seq, event, committedAt: now, published: false },
      { session },
    );
  }

  /** The orgs that have announcements to publish. */
  pendingTenants(): Promise<string[]> {
    return this.#entries.distinct('tenant', { published: false });
  }

  /** The org's oldest `limit` pending announcements, in commit order. */
  pending(tenant: string, limit: number): Promise<OutboxEntry[]> {
    return this.#entries.find({ published: false, tenant }, { sort: { seq: 1 }, limit }).toArray();
  }

  async markPublished(ids: string[], now = new Date()): Promise<void> {
    await this.#entries.updateMany({ _id: { $in: ids } }, { $set: { published: true, publishedAt: now } });
  }
}
