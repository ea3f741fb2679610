import { isDuplicateKey } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';

interface RelayLease {
  /** The org whose announcements the holder publishes. */
  _id: string;
  owner: string;
  until: Date;
}

export const RELAY_LEASES_COLLECTION = 'org_change_relay_leases';

/**
 * Who publishes an org's pending announcements right now: one ingress replica at a time holds an
 * org's lease, so replicas do not normally publish an entry twice and each org's entries go out
 * in order. A lease that is not renewed lapses (its holder crashed or hangs) and anyone may take it.
 */
export class RelayLeases {
  readonly #leases: Collection<RelayLease>;

  constructor(db: Db) {
    this.#leases = db.collection<RelayLease>(RELAY_LEASES_COLLECTION);
  }

  /** Takes or renews the org's lease for `ms`; false while another owner holds it. */
  async acquire(tenant: string, owner: string, ms: number, now = new Date()): Promise<boolean> {
    try {
      await this.#leases.updateOne(
        { _id: tenant, $or: [{ owner }, { until: { $lte: now } }] },
        { $set: { owner, until: new Date(now.getTime() + ms) } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      // Held by another owner: the filter matched nothing and the upsert met the existing lease.
      if (isDuplicateKey(err, '_id')) return false;
      throw err;
    }
  }

  async release(tenant: string, owner: string): Promise<void> {
    await this.#leases.deleteOne({ _id: tenant, owner });
  }
}
