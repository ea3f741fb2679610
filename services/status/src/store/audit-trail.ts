import { AUDIT_COLLECTION, type AuditEntry } from '@roster/contracts';
import { ensureRetention, ignoringDuplicates, type RetentionSeconds, traceIdOf } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';

/** An entry as stored: `recordedAt` (when it was written) is what its retention counts from. */
type StoredAuditEntry = AuditEntry & { recordedAt: Date };

/**
 * Writes the audit trail; entry ids come from the recorded message, so redelivery adds nothing.
 * Entries expire `retention` after they were written (a product decision: `undefined` keeps them).
 */
export class AuditTrail {
  readonly #entries: Collection<StoredAuditEntry>;
  readonly #retention: RetentionSeconds;

  constructor(db: Db, retention: RetentionSeconds) {
    this.#entries = db.collection<StoredAuditEntry>(AUDIT_COLLECTION);
    this.#retention = retention;
  }

  async ensureIndexes(): Promise<void> {
    await this.#entries.createIndexes([
      { key: { tenant: 1, at: -1, _id: -1 }, name: 'tenant_newest' },
      { key: { tenant: 1, resourceId: 1, at: -1, _id: -1 }, name: 'tenant_resource_newest' },
    ]);
    await ensureRetention(this.#entries, {
      name: 'retention',
      field: 'recordedAt',
      retention: this.#retention,
    });
  }

  async record(entry: Omit<AuditEntry, 'traceId'>, traceparent: string | undefined): Promise<void> {
    await this.recordAll([{ entry, traceparent }]);
  }

  /** Records entries with one write; entries already recorded (a redelivery) stay as they are. */
  async recordAll(
    entries: { entry: Omit<AuditEntry, 'traceId'>; traceparent: string | undefined }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const recordedAt = new Date();
    const stored = entries.map(({ entry, traceparent }) => {
      const traceId = traceIdOf(traceparent);
      return { ...entry, ...(traceId ? { traceId } : {}), recordedAt };
    });
    await ignoringDuplicates(this.#entries.insertMany(stored, { ordered: false }));
  }
}
