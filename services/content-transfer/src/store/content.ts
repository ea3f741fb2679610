import { randomUUID } from 'node:crypto';
import {
  CONTENT_ITEMS_COLLECTION,
  CONTENT_TRANSFERS_COLLECTION,
  CONTENT_USERS_COLLECTION,
  type ContentItemDocument,
  type ContentKind,
  type ContentTransferDocument,
  type ContentUserDocument,
} from '@roster/contracts';
import { ignoringDuplicates, isDuplicateKey } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';
import { evolveTransfer, type TransferEvent } from '../domain/transfer.ts';

/** An item to create (development seeding): a video unless said otherwise, in no folder by default. */
export interface NewItem {
  ownerUserId: string;
  title: string;
  kind?: ContentKind | undefined;
  folder?: string | null | undefined;
}

/** The service's three collections; it is their only writer. */
export class ContentStore {
  readonly #items: Collection<ContentItemDocument>;
  readonly #transfers: Collection<ContentTransferDocument>;
  readonly #users: Collection<ContentUserDocument>;

  constructor(db: Db) {
    this.#items = db.collection(CONTENT_ITEMS_COLLECTION);
    this.#transfers = db.collection(CONTENT_TRANSFERS_COLLECTION);
    this.#users = db.collection(CONTENT_USERS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.#items.createIndex({ tenant: 1, ownerUserId: 1 }),
      this.#items.createIndex({ tenant: 1, ownerUserId: 1, folder: 1 }),
      this.#items.createIndex({ 'transfer.id': 1 }),
      this.#transfers.createIndex({ tenant: 1, state: 1 }),
      this.#transfers.createIndex({ tenant: 1, userId: 1 }),
      this.#users.createIndex({ tenant: 1, active: 1, organizationAdmin: 1 }),
    ]);
  }

  // ── users projection ──────────────────────────────────────────────────────────────────────

  findUser(id: string): Promise<ContentUserDocument | null> {
    return this.#users.findOne({ _id: id });
  }

  /** The stored projections of these users, by id (with one read). */
  async findUsers(ids: readonly string[]): Promise<Map<string, ContentUserDocument>> {
    const found = await this.#users.find({ _id: { $in: [...new Set(ids)] } }).toArray();
    return new Map(found.map((user) => [user._id, user]));
  }

  /**
   * Writes projections (one per user) with one write, each only if it is newer than what is
   * stored (the sequence guard); a guard that misses on an existing user makes the upsert insert
   * an existing `_id`: a duplicate key, "newer or the same already there", ignored.
   */
  async saveUsers(users: readonly ContentUserDocument[]): Promise<void> {
    if (users.length === 0) return;
    await ignoringDuplicates(
      this.#users.bulkWrite(
        users.map((user) => ({
          updateOne: {
            filter: { _id: user._id, sequence: { $lt: user.sequence } },
            update: { $set: user },
            upsert: true,
          },
        })),
        { ordered: false },
      ),
    );
  }

  activeAdmins(tenant: string): Promise<ContentUserDocument[]> {
    return this.#users.find({ tenant, active: true, organizationAdmin: true }).toArray();
  }

  // ── transfers ─────────────────────────────────────────────────────────────────────────────

  findTransfer(id: string): Promise<ContentTransferDocument | null> {
    return this.#transfers.findOne({ _id: id });
  }

  /** Records a new transfer; a redelivery finds it already there. */
  async createTransfer(t: ContentTransferDocument): Promise<void> {
    try {
      await this.#transfers.insertOne(t);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /** Transfers of an org that may need a runner: waiting for an admin, or moving (maybe orphaned). */
  async unfinishedTransfers(tenant: string): Promise<ContentTransferDocument[]> {
    const [waiting, moving] = await Promise.all([
      this.#transfers.find({ tenant, state: 'pending_admin' }).toArray(),
      this.#transfers.find({ tenant, state: 'in_progress' }).toArray(),
    ]);
    return [...waiting, ...moving].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Applies one state-machine event as a conditional update on the state (and lease holder) the
   * runner saw: returns the new document, or null when someone else changed it first.
   */
  async transition(
    t: ContentTransferDocument,
    event: TransferEvent,
    condition: Record<string, unknown> = {},
  ): Promise<ContentTransferDocument | null> {
    const next = evolveTransfer(t, event);
    if (next === t) return null;
    const { _id, ...fields } = next;
    const result = await this.#transfers.updateOne({ _id, state: t.state, ...condition }, { $set: fields });
    return result.matchedCount === 1 ? next : null;
  }

  // ── items ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Moves up to `limit` items the departing user still owns to `t.toUserId`, into the folder named
   * with the email, stamping each with the transfer id. The update is conditional on the owner, so
   * an item can never move twice (two runners, a redelivery). Returns how many items it looked at.
   */
  async moveBatch(t: ContentTransferDocument, limit: number, at: string): Promise<number> {
    const batch = await this.#items
      .find({ tenant: t.tenant, ownerUserId: t.userId }, { projection: { _id: 1 } })
      .limit(limit)
      .toArray();
    if (batch.length === 0) return 0;
    await this.#items.updateMany({ _id: { $in: batch.map((i) => i._id) }, ownerUserId: t.userId }, [
      {
        $set: {
          ownerUserId: { $literal: t.toUserId },
          folder: { $literal: t.folder },
          transfer: {
            id: { $literal: t._id },
            fromUserId: { $literal: t.userId },
            fromFolder: { $ifNull: ['$folder', null] },
            at: { $literal: at },
          },
        },
      },
    ]);
    return batch.length;
  }

  /** Exact, whatever crashed when: every moved item carries the transfer id. */
  countMoved(transferId: string): Promise<number> {
    return this.#items.countDocuments({ 'transfer.id': transferId });
  }

  async createItem(input: { tenant: string } & NewItem): Promise<ContentItemDocument> {
    const [item] = await this.createItems(input.tenant, [input]);
    return item!;
  }

  async createItems(tenant: string, inputs: NewItem[]): Promise<ContentItemDocument[]> {
    const createdAt = new Date().toISOString();
    const items = inputs.map(
      (i): ContentItemDocument => ({
        _id: randomUUID(),
        tenant,
        ownerUserId: i.ownerUserId,
        title: i.title,
        kind: i.kind ?? 'video',
        folder: i.folder ?? null,
        createdAt,
      }),
    );
    if (items.length > 0) await this.#items.insertMany(items);
    return items;
  }
}
