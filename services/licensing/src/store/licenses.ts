import {
  LICENSE_SEATS_COLLECTION,
  LICENSES_COLLECTION,
  type License,
  type LicenseDocument,
  type LicenseSeatsDocument,
  type LicensingOutcomeRecord,
  licenseSeatsId,
} from '@roster/contracts';
import { type Clock, InvariantViolation, isDuplicateKey } from '@roster/service-kit';
import { type ClientSession, type Collection, type Db, type MongoClient, MongoError } from 'mongodb';
import {
  decideLicensing,
  type LicensingChange,
  type LicensingDecision,
  type LicensingSettings,
} from '../domain/decide.ts';
import { TenantQueue } from './tenant-queue.ts';

/** The claim did not find the seat count the transaction read: decide again on fresh data. */
class SeatCountMoved extends Error {
  constructor(id: string) {
    super(`seat count of ${id} moved during the transaction`);
    this.name = 'SeatCountMoved';
  }
}

const MAX_ATTEMPTS = 50;

const retryable = (err: unknown): boolean =>
  err instanceof SeatCountMoved ||
  isDuplicateKey(err) ||
  (err instanceof MongoError &&
    (err.hasErrorLabel('TransientTransactionError') || err.hasErrorLabel('UnknownTransactionCommitResult')));

/** Seats in use per organization and license, as read in a transaction and as the decisions move them. */
class SeatCounts {
  readonly #pools = new Map<
    string,
    { tenant: string; license: License; read: number | undefined; inUse: number }
  >();

  constructor(read: readonly LicenseSeatsDocument[]) {
    for (const pool of read)
      this.#pools.set(pool._id, {
        tenant: pool.tenant,
        license: pool.license,
        read: pool.inUse,
        inUse: pool.inUse,
      });
  }

  of(tenant: string): Partial<Record<License, number>> {
    return Object.fromEntries(
      [...this.#pools.values()].filter((p) => p.tenant === tenant).map((p) => [p.license, p.inUse]),
    );
  }

  /** Never below zero (a count can only be missing or short if the collection was edited by hand). */
  move(tenant: string, license: License, by: 1 | -1): void {
    const id = licenseSeatsId(tenant, license);
    const pool = this.#pools.get(id) ?? { tenant, license, read: undefined, inUse: 0 };
    this.#pools.set(id, { ...pool, inUse: Math.max(0, pool.inUse + by) });
  }

  /** The counts to write: those that differ from what was read (a count never read is new). */
  changed() {
    return [...this.#pools.values()].filter((p) => (p.read === undefined ? p.inUse > 0 : p.inUse !== p.read));
  }
}

/** Test hook: runs inside the transaction after its writes, before the commit (throw to crash there). */
export type BeforeCommit = (decision: LicensingDecision) => void | Promise<void>;

export interface ApplyResult {
  /** The outcome to publish for this change (stored, so a redelivery publishes the same one). */
  outcome: LicensingOutcomeRecord;
  redelivery: boolean;
}

/**
 * The licensing collections. Every change is one multi-document transaction: the user's license
 * document (with the change's sequence, the dedupe key) and the seat counts of the licenses it
 * gives back and takes. A crash before the commit leaves nothing behind (redelivery decides again);
 * after the commit the recorded sequence turns the redelivery into a republish of the same outcome.
 */
export class LicensingStore {
  readonly #client: MongoClient;
  readonly #beforeCommit: BeforeCommit | undefined;
  readonly #licenses: Collection<LicenseDocument>;
  readonly #seats: Collection<LicenseSeatsDocument>;
  readonly #tenants = new TenantQueue();

  constructor(client: MongoClient, db: Db, options: { beforeCommit?: BeforeCommit } = {}) {
    this.#client = client;
    this.#beforeCommit = options.beforeCommit;
    this.#licenses = db.collection<LicenseDocument>(LICENSES_COLLECTION);
    this.#seats = db.collection<LicenseSeatsDocument>(LICENSE_SEATS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.#licenses.createIndex({ tenant: 1, adminSince: 1 }, { name: 'tenant_adminSince' }),
      this.#licenses.createIndex({ tenant: 1, license: 1 }, { name: 'tenant_license' }),
      this.#seats.createIndex({ tenant: 1 }, { name: 'tenant' }),
    ]);
  }

  /**
   * Decides and applies user changes (of one or several organizations, in order) atomically, in
   * one transaction; retries on write conflicts with other claims. Changes of one organization are
   * applied one batch at a time in this process, so its own batches never conflict on the org's
   * seat counts (replicas still may: their conflicts are retried).
   */
  async apply(
    changes: readonly { change: LicensingChange; org: LicensingSettings | undefined }[],
    clock: Clock,
  ): Promise<ApplyResult[]> {
    return this.#tenants.holding(
      changes.map(({ change }) => change.tenant),
      async () => {
        for (let attempt = 1; ; attempt++) {
          const session = this.#client.startSession();
          try {
            let decisions: LicensingDecision[] = [];
            await session.withTransaction(
              async () => {
                decisions = await this.#decideAndWrite(session, changes, clock.now());
              },
              {
                readConcern: { level: 'snapshot' },
                writeConcern: { w: 'majority' },
                readPreference: 'primary',
              },
            );
            return decisions.map((d) => ({ outcome: d.outcome, redelivery: d.kind === 'redelivery' }));
          } catch (err) {
            if (!retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
            await new Promise((resolve) => setTimeout(resolve, Math.min(5 * attempt, 100) * Math.random()));
          } finally {
            await session.endSession();
          }
        }
      },
    );
  }

  /**
   * Reads the users' license documents and their orgs' seat counts, decides every change in turn
   * (each seeing the documents and counts the ones before it left), then writes the documents and
   * each changed seat count once, conditional on the count read.
   */
  async #decideAndWrite(
    session: ClientSession,
    changes: readonly { change: LicensingChange; org: LicensingSettings | undefined }[],
    now: string,
  ): Promise<LicensingDecision[]> {
    const userIds = [...new Set(changes.map(({ change }) => change.user.id))];
    const tenants = [...new Set(changes.map(({ change }) => change.tenant))];
    // One operation at a time: a transaction's operations run in sequence on its session.
    const stored = await this.#licenses.find({ _id: { $in: userIds } }, { session }).toArray();
    const pools = await this.#seats.find({ tenant: { $in: tenants } }, { session }).toArray();
    const documents = new Map(stored.map((doc) => [doc._id, doc]));
    const seats = new SeatCounts(pools);
    const decisions: LicensingDecision[] = [];
    for (const { change, org } of changes) {
      const current = documents.get(change.user.id);
      // User ids are unique across organizations: another org's document under this id is a bug.
      if (current && current.tenant !== change.tenant)
        throw new InvariantViolation(`license document ${current._id} belongs to another organization`);
      const decision = decideLicensing(change, { now, current, org, seatsInUse: seats.of(change.tenant) });
      decisions.push(decision);
      if (decision.kind === 'redelivery') continue;
      documents.set(decision.next._id, decision.next);
      if (decision.release) seats.move(change.tenant, decision.release, -1);
      if (decision.claim) seats.move(change.tenant, decision.claim, 1);
    }
    for (const { tenant, license, read, inUse } of seats.changed()) {
      const id = licenseSeatsId(tenant, license);
      if (read === undefined) {
        await this.#seats.insertOne({ _id: id, tenant, license, inUse, updatedAt: now }, { session });
        continue;
      }
      // Conditional on the count the decisions saw: the limit holds even if isolation did not.
      const written = await this.#seats.updateOne(
        { _id: id, inUse: read },
        { $set: { inUse, updatedAt: now } },
        { session },
      );
      if (written.matchedCount === 0) throw new SeatCountMoved(id);
    }
    const applied = decisions.flatMap((d) => (d.kind === 'apply' ? [d.next._id] : []));
    const written = [...new Set(applied)].map((id) => documents.get(id)!);
    if (written.length > 0)
      await this.#licenses.bulkWrite(
        written.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
        { session },
      );
    for (const decision of decisions) await this.#beforeCommit?.(decision);
    return decisions;
  }
}
