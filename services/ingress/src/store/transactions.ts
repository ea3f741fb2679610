import type { ClientSession, MongoClient, TransactionOptions } from 'mongodb';

const TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/** The store kept failing a transaction with retryable errors (unreachable, frozen) past the bound. */
export class TransactionGaveUp extends Error {
  constructor(ms: number, cause: unknown) {
    super(`the store did not commit the change within ${ms} ms`, { cause });
    this.name = 'TransactionGaveUp';
  }
}

/**
 * Multi-document transactions of the admin API (`session.withTransaction`: snapshot reads, majority
 * commit, re-run on a write conflict). The driver re-runs a transaction whose store is unreachable
 * for up to 120 s; an admin request gives up after `giveUpAfterMs` instead (answered 503).
 */
export class Transactions {
  readonly #client: MongoClient;
  readonly #giveUpAfterMs: number;

  constructor(client: MongoClient, giveUpAfterMs: number) {
    this.#client = client;
    this.#giveUpAfterMs = giveUpAfterMs;
  }

  /** Runs `work` (possibly several times) until one run commits; its result is the committed run's. */
  run<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#giveUpAfterMs;
    let attempts = 0;
    let lastError: unknown;
    return this.#client.withSession((session) =>
      session.withTransaction(async () => {
        if (attempts++ > 0 && Date.now() > deadline)
          throw new TransactionGaveUp(this.#giveUpAfterMs, lastError);
        try {
          return await work(session);
        } catch (err) {
          lastError = err;
          throw err;
        }
      }, TRANSACTION_OPTIONS),
    );
  }
}
