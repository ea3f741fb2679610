import type { Actor } from '../commands.ts';

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
