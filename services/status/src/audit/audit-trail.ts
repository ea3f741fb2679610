import type { Actor } from '@roster/contracts';
import { traceIdOf } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';

/**
 * The audit trail (`audit`, written only by the status service): one entry per command decision
 * and one per step outcome — who, what, when, result, correlation and trace ids. Entry ids are
 * derived from the message they record, so a redelivery never adds a second entry.
 */
export interface AuditEntry {
  _id: string;
  tenant: string;
  resourceType: 'User' | 'Group';
  resourceId: string;
  at: string;
  kind: 'command' | 'outcome';
  /** The command type, or the step that reported. */
  what: string;
  actor?: Actor;
  /** The normalized change (command data without the actor) or the step's reported state. */
  change?: unknown;
  result: string;
  status?: number;
  detail?: string;
  /** The resource as the decision left it: lets anyone check the trail against the SCIM state. */
  state?: { version?: number; active?: boolean; scimDeleted?: boolean; license?: string | null };
  correlationId: string;
  traceId?: string;
}

export const AUDIT_COLLECTION = 'audit';

export class AuditTrail {
  readonly collection: Collection<AuditEntry>;

  constructor(db: Db) {
    this.collection = db.collection<AuditEntry>(AUDIT_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { tenant: 1, at: -1, _id: -1 }, name: 'tenant_newest' },
      { key: { tenant: 1, resourceId: 1, at: -1, _id: -1 }, name: 'tenant_resource_newest' },
    ]);
  }

  async record(entry: Omit<AuditEntry, 'traceId'>, traceparent: string | undefined): Promise<void> {
    const traceId = traceIdOf(traceparent);
    try {
      await this.collection.insertOne({ ...entry, ...(traceId ? { traceId } : {}) });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }
}
