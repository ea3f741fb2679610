import { AUDIT_COLLECTION, type AuditEntry } from '@roster/contracts';
import type { Collection, Db, Filter } from 'mongodb';

/** Where a page of the trail ends: entries are ordered newest first, ties by id. */
export interface AuditPosition {
  at: string;
  id: string;
}

export interface AuditPageQuery {
  /** Only the entries about this resource (a user id). */
  resourceId?: string;
  /** Only the entries after this position. */
  after?: AuditPosition;
  limit: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Whether entries follow the last one of this page. */
  hasMore: boolean;
}

/** Reads the audit trail (the status service writes it); every query is scoped to one org. */
export class AuditTrailReader {
  readonly #audit: Collection<AuditEntry>;

  constructor(db: Db) {
    this.#audit = db.collection<AuditEntry>(AUDIT_COLLECTION);
  }

  /** A page of the org's trail, newest first. */
  async page(tenant: string, { resourceId, after, limit }: AuditPageQuery): Promise<AuditPage> {
    const where: Filter<AuditEntry> = {
      tenant,
      ...(resourceId ? { resourceId } : {}),
      ...(after ? { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] } : {}),
    };
    // One entry more than asked tells whether another page follows.
    // recordedAt is the status service's retention bookkeeping, not part of the trail.
    const entries = await this.#audit
      .find(where, { sort: { at: -1, _id: -1 }, limit: limit + 1, projection: { recordedAt: 0 } })
      .toArray();
    return { entries: entries.slice(0, limit), hasMore: entries.length > limit };
  }
}
