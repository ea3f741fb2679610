import { CommandError, writeConflict } from '../errors.ts';
import type { Engine } from '../storage/engine.ts';
import { type Doc, isPlainObject, keyOf } from '../storage/values.ts';
import { Transaction } from './transaction.ts';

export const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;
export const TRANSACTION_LIFETIME_MS = 60_000;

export interface Session {
  readonly key: string;
  txnNumber: number;
  txn: Transaction | undefined;
  lastUse: number;
  /** reply to the last retryable write (txnNumber without a transaction), replayed if the driver retries it */
  lastRetryable?: { txnNumber: number; reply: Doc };
}

/** Server-side logical sessions (keyed by `lsid.id`) and their transactions. */
export class SessionManager {
  private readonly engine: Engine;
  private readonly sessions = new Map<string, Session>();
  private readonly log: (line: string) => void;

  constructor(engine: Engine, log: (line: string) => void) {
    this.engine = engine;
    this.log = log;
  }

  /**
   * Resolves the session and transaction a command runs in, starting a transaction on
   * `startTransaction: true`. Throws the same errors a server does for stale or unknown txnNumbers.
   */
  resolve(cmd: Doc, commandName: string): { session?: Session; txn?: Transaction } {
    const lsid = cmd.lsid;
    if (lsid === undefined) {
      if (cmd.autocommit !== undefined || cmd.startTransaction !== undefined) {
        throw new CommandError('InvalidOptions', 'Transaction options require a session (lsid)');
      }
      return {};
    }
    if (!isPlainObject(lsid) || lsid.id === undefined) {
      throw new CommandError('TypeMismatch', 'lsid must be an object with an id field');
    }
    const key = keyOf(lsid.id);
    let session = this.sessions.get(key);
    if (!session) {
      session = { key, txnNumber: -1, txn: undefined, lastUse: Date.now() };
      this.sessions.set(key, session);
    }
    session.lastUse = Date.now();
    if (cmd.autocommit === undefined) return { session };
    if (cmd.autocommit !== false) {
      throw new CommandError('InvalidOptions', 'Specifying autocommit=true is not allowed.');
    }
    const txnNumber = cmd.txnNumber;
    if (typeof txnNumber !== 'number') {
      throw new CommandError('InvalidOptions', 'txnNumber must be provided for multi-document transactions');
    }
    if (cmd.startTransaction === true) {
      if (txnNumber < session.txnNumber || (txnNumber === session.txnNumber && session.txn)) {
        throw new CommandError(
          'TransactionTooOld',
          `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.txnNumber} has already started`,
        );
      }
      if (session.txn?.state === 'active') this.abort(session.txn);
      const txn = new Transaction(txnNumber, this.engine.clock);
      this.engine.beginTxn(txn);
      session.txnNumber = txnNumber;
      session.txn = txn;
      return { session, txn };
    }
    const txn = session.txn;
    if (!txn || txn.txnNumber !== txnNumber || txn.state === 'aborted') {
      throw new CommandError(
        'NoSuchTransaction',
        `Transaction with { txnNumber: ${txnNumber} } has been aborted.`,
        {},
        commandName === 'commitTransaction' ? [] : ['TransientTransactionError'],
      );
    }
    if (txn.state === 'committed' && commandName !== 'commitTransaction') {
      throw new CommandError(
        'TransactionCommitted',
        `Transaction with { txnNumber: ${txnNumber} } has been committed.`,
      );
    }
    return { session, txn };
  }

  commit(txn: Transaction): void {
    if (txn.state === 'committed') return;
    if (txn.doomed) {
      this.abort(txn);
      throw writeConflict();
    }
    const ops = txn.ops();
    this.engine.releaseTxn(txn, txn.held);
    this.engine.commit(ops);
    txn.state = 'committed';
    txn.writes.clear();
  }

  abort(txn: Transaction): void {
    if (txn.state !== 'active') return;
    txn.state = 'aborted';
    txn.writes.clear();
    this.engine.releaseTxn(txn, txn.held);
    txn.held.clear();
  }

  end(lsids: unknown[]): void {
    for (const lsid of lsids) {
      if (!isPlainObject(lsid)) continue;
      const key = keyOf(lsid.id);
      const s = this.sessions.get(key);
      if (s?.txn) this.abort(s.txn);
      this.sessions.delete(key);
    }
  }

  /** Aborts transactions past their lifetime and forgets idle sessions. */
  reap(now = Date.now()): void {
    for (const [key, s] of this.sessions) {
      if (s.txn?.state === 'active' && now - s.txn.startedAt > TRANSACTION_LIFETIME_MS) {
        this.log(`aborting transaction ${s.txn.txnNumber}: exceeded ${TRANSACTION_LIFETIME_MS} ms lifetime`);
        this.abort(s.txn);
      }
      if (now - s.lastUse > LOGICAL_SESSION_TIMEOUT_MINUTES * 60_000) {
        if (s.txn) this.abort(s.txn);
        this.sessions.delete(key);
      }
    }
  }

  abortAll(): void {
    for (const s of this.sessions.values()) if (s.txn) this.abort(s.txn);
  }
}
