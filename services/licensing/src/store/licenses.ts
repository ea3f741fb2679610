import {
  LICENSE_SEATS_COLLECTION,
  LICENSES_COLLECTION,
  type License,
  type LicenseDocument,
  type LicenseSeatsDocument,
  type LicensingOutcomeRecord,
  licenseSeatsId,
} from '@roster/contracts';
import { type Clock, isDuplicateKey } from '@roster/service-kit';
import { type ClientSession, type Collection, type Db, type MongoClient, MongoError } from 'mongodb';
import {
  decideLicensing,
  type LicensingChange,
  type LicensingDecision,
  type LicensingSettings,
} from '../domain/decide.ts';

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

  /** Decides and applies one user change atomically; retries on write conflicts with other claims. */
  async apply(
    change: LicensingChange,
    org: LicensingSettings | undefined,
    clock: Clock,
  ): Promise<ApplyResult> {
    for (let attempt = 1; ; attempt++) {
      const session = this.#client.startSession();
      try {
        let decision: LicensingDecision | undefined;
        await session.withTransaction(
          async () => {
            decision = await this.#decideAndWrite(session, change, org, clock.now());
          },
          { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' },
        );
        const decided = decision!;
        return { outcome: decided.outcome, redelivery: decided.kind === 'redelivery' };
      } catch (err) {
        if (!retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5 * attempt, 100) * Math.random()));
      } finally {
        await session.endSession();
      }
    }
  }

  async #decideAndWrite(
    session: ClientSession,
    change: LicensingChange,
    org: LicensingSettings | undefined,
    now: string,
  ): Promise<LicensingDecision> {
    const current = (await this.#licenses.findOne({ _id: change.user.id }, { session })) ?? undefined;
    const pools = await this.#seats.find({ tenant: change.tenant }, { session }).toArray();
    const seatsInUse: Partial<Record<License, number>> = Object.fromEntries(
      pools.map((p) => [p.license, p.inUse]),
    );
    const decision = decideLicensing(change, { now, current, org, seatsInUse });
    if (decision.kind === 'redelivery') return decision;

    if (decision.release) {
      const id = licenseSeatsId(change.tenant, decision.release);
      // Never below zero (a count can only be missing if the collection was edited by hand).
      await this.#seats.updateOne(
        { _id: id, inUse: { $gt: 0 } },
        { $inc: { inUse: -1 }, $set: { updatedAt: now } },
        { session },
      );
    }
    if (decision.claim) {
      const id = licenseSeatsId(change.tenant, decision.claim);
      const read = pools.find((p) => p._id === id);
      if (read) {
        // Conditional on the count the decision saw: the limit holds even if isolation did not.
        const claimed = await this.#seats.updateOne(
          { _id: id, inUse: read.inUse },
          { $inc: { inUse: 1 }, $set: { updatedAt: now } },
          { session },
        );
        if (claimed.matchedCount === 0) throw new SeatCountMoved(id);
      } else {
        await this.#seats.insertOne(
          { _id: id, tenant: change.tenant, license: decision.claim, inUse: 1, updatedAt: now },
          { session },
        );
      }
    }
    await this.#licenses.replaceOne({ _id: decision.next._id }, decision.next, { upsert: true, session });
    await this.#beforeCommit?.(decision);
    return decision;
  }
}
