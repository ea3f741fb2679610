import type { Actor, GroupDocument, ScimErrorBody, Step, TopicKey, UserDocument } from '@roster/contracts';
import {
  ensureRetention,
  isDuplicateKey,
  type Publishable,
  type RetentionSeconds,
} from '@roster/service-kit';
import type { ClientSession, Collection, Db } from 'mongodb';
import type { ReportedSteps } from '../domain/provisioning/completion.ts';

export interface OutboxMessage {
  topic: TopicKey;
  message: Publishable;
}

/**
 * One command as the directory decided it: the decision, the resource as it left it and the
 * messages it must publish (a transactional outbox: an accepted change is recorded in the same
 * transaction as its directory write, so an entry exists exactly when its write committed; each
 * later step is idempotent, so a crash anywhere is repaired by redelivery of the command).
 */
export interface LedgerEntry {
  _id: string;
  tenant: string;
  subject: string;
  type: string;
  actor: Actor;
  receivedAt: string;
  traceparent?: string;
  resourceType: 'User' | 'Group';
  resourceId: string;
  response: { status: number; error?: ScimErrorBody };
  /** The resource as it stands after the decision (what the IdP gets back). */
  document?: UserDocument | GroupDocument;
  outbox: OutboxMessage[];
  published: boolean;
  awaits: Step[];
  /** What each awaited step reported for this command. */
  outcomes?: ReportedSteps;
  /** The command result is in the outbox (nothing awaited) or was published once every awaited step reported. */
  completed: boolean;
  /** When the ledger recorded the entry (set by `record`); the entry expires `retention` later. */
  recordedAt?: Date;
}

export const LEDGER_COLLECTION = 'command_ledger';

/**
 * The command ledger (`command_ledger`), written only by the status service. Entries expire
 * `retention` after they were recorded; it must outlive the commands topic's retention, or a
 * command redelivered after its entry expired would be decided again.
 */
export class CommandLedger {
  readonly #entries: Collection<LedgerEntry>;
  readonly #retention: RetentionSeconds;

  constructor(db: Db, retention: RetentionSeconds) {
    this.#entries = db.collection<LedgerEntry>(LEDGER_COLLECTION);
    this.#retention = retention;
  }

  async ensureIndexes(): Promise<void> {
    await this.#entries.createIndexes([
      { key: { tenant: 1, resourceId: 1, receivedAt: -1 }, name: 'tenant_resource_received' },
      { key: { tenant: 1, receivedAt: -1 }, name: 'tenant_received' },
    ]);
    await ensureRetention(this.#entries, {
      name: 'retention',
      field: 'recordedAt',
      retention: this.#retention,
    });
  }

  find(commandId: string): Promise<LedgerEntry | null> {
    return this.#entries.findOne({ _id: commandId });
  }

  /**
   * Records a decision that writes nothing (a refusal, an idempotent repeat) once; if a previous
   * delivery already recorded one, that one wins.
   */
  async record(entry: LedgerEntry): Promise<LedgerEntry> {
    const recorded = { ...entry, recordedAt: new Date() };
    try {
      await this.#entries.insertOne(recorded);
      return recorded;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await this.find(entry._id);
      if (!existing) throw err;
      return existing;
    }
  }

  /** The entries recorded for these commands, by command id. */
  async findAll(commandIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const found = await this.#entries.find({ _id: { $in: [...commandIds] } }).toArray();
    return new Map(found.map((entry) => [entry._id, entry]));
  }

  /**
   * Records decisions within the transaction of their directory writes. An entry already recorded
   * (another delivery of the command committed first) fails the transaction with the driver's
   * DuplicateKey.
   */
  async recordWithin(session: ClientSession, entries: readonly LedgerEntry[]): Promise<LedgerEntry[]> {
    const recordedAt = new Date();
    const recorded = entries.map((entry) => ({ ...entry, recordedAt }));
    await this.#entries.insertMany(recorded, { session });
    return recorded;
  }

  async markPublished(commandIds: readonly string[]): Promise<void> {
    if (commandIds.length === 0) return;
    await this.#entries.updateMany({ _id: { $in: [...commandIds] } }, { $set: { published: true } });
  }

  /**
   * Records steps' reports for commands with one write, and returns the entries as they now stand
   * (by command id; a command the ledger does not know is absent).
   */
  async recordOutcomes(
    reports: readonly {
      tenant: string;
      commandId: string;
      resourceId: string;
      step: Step;
      report: NonNullable<ReportedSteps[Step]>;
    }[],
  ): Promise<Map<string, LedgerEntry>> {
    if (reports.length === 0) return new Map();
    // Only the step's report on the command's own resource counts (a group command also causes
    // per-member reports, which fold into those users but do not answer the group's call).
    await this.#entries.bulkWrite(
      reports.map(({ tenant, commandId, resourceId, step, report }) => ({
        updateOne: {
          filter: { _id: commandId, tenant, resourceId },
          update: { $set: { [`outcomes.${step}`]: report } },
        },
      })),
      { ordered: true },
    );
    const ids = [...new Set(reports.map((r) => r.commandId))];
    const entries = await this.#entries.find({ _id: { $in: ids } }).toArray();
    return new Map(entries.map((entry) => [entry._id, entry]));
  }

  async markCompleted(commandIds: readonly string[]): Promise<void> {
    if (commandIds.length === 0) return;
    await this.#entries.updateMany({ _id: { $in: [...commandIds] } }, { $set: { completed: true } });
  }
}
