import { AUDIT_COLLECTION, type AuditEntry } from '@roster/contracts';
import { isDuplicateKey, traceIdOf } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';

/** Writes the audit trail; entry ids come from the recorded message, so redelivery adds nothing. */
export class AuditTrail {
  readonly #entries: Collection<AuditEntry>;

  constructor(db: Db) {
    this.#entries = db.collection<AuditEntry>(AUDIT_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.#entries.createIndexes([
      { key: { tenant: 1, at: -1, _id: -1 }, name: 'tenant_newest' },
      { key: { tenant: 1, resourceId: 1, at: -1, _id: -1 }, name: 'tenant_resource_newest' },
    ]);
  }

  async record(entry: Omit<AuditEntry, 'traceId'>, traceparent: string | undefined): Promise<void> {
    const traceId = traceIdOf(traceparent);
    try {
      await this.#entries.insertOne({ ...entry, ...(traceId ? { traceId } : {}) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}
