import { CONTENT_ITEMS_COLLECTION, type ContentItemDocument } from '@roster/contracts';
import type { Collection, Db, Filter } from 'mongodb';

export interface ContentItemsQuery {
  ownerUserId?: string;
  folder?: string;
}

/**
 * Reads content items (the content-transfer service writes them, development seeding included:
 * the admin API forwards that to the service over HTTP).
 */
export class ContentItemsReader {
  readonly #items: Collection<ContentItemDocument>;

  constructor(db: Db) {
    this.#items = db.collection<ContentItemDocument>(CONTENT_ITEMS_COLLECTION);
  }

  /** The org's items, optionally of one owner or in one folder, oldest first. */
  list(tenant: string, { ownerUserId, folder }: ContentItemsQuery): Promise<ContentItemDocument[]> {
    const where: Filter<ContentItemDocument> = {
      tenant,
      ...(ownerUserId ? { ownerUserId } : {}),
      ...(folder ? { folder } : {}),
    };
    return this.#items.find(where, { sort: { createdAt: 1, _id: 1 } }).toArray();
  }
}
