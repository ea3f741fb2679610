import { writeConflict } from '../errors.ts';
import type { Matcher } from '../query/mingo.ts';
import type { Collection } from '../storage/catalog.ts';
import type { CommitOp, Engine, LockOwner } from '../storage/engine.ts';
import { type Doc, keyOf } from '../storage/values.ts';
import { type Match, type View, ViewBase } from '../storage/view.ts';

export type TxnState = 'active' | 'committed' | 'aborted';

/**
 * A multi-document transaction: reads see the committed state as of `snapshot` (logical clock)
 * plus this transaction's own writes; writes go to a private overlay and take write locks on the
 * document and its unique-index keys. Touching a document another transaction holds, or one
 * committed after our snapshot, fails with WriteConflict (TransientTransactionError).
 */
export class Transaction implements LockOwner {
  readonly txnNumber: number;
  readonly snapshot: number;
  readonly startedAt = Date.now();
  doomed = false;
  state: TxnState = 'active';
  readonly writes = new Map<Collection, Map<string, Doc | null>>();
  readonly held = new Set<string>();

  constructor(txnNumber: number, snapshot: number) {
    this.txnNumber = txnNumber;
    this.snapshot = snapshot;
  }

  ops(): CommitOp[] {
    const out: CommitOp[] = [];
    for (const [coll, m] of this.writes) for (const [idKey, doc] of m) out.push({ coll, idKey, doc });
    return out;
  }
}

export class TxnView extends ViewBase implements View {
  readonly engine: Engine;
  readonly txn: Transaction;

  constructor(engine: Engine, txn: Transaction) {
    super();
    this.engine = engine;
    this.txn = txn;
  }

  protected override assertUsable(): void {
    if (this.txn.doomed) throw writeConflict();
  }

  private overlay(coll: Collection): Map<string, Doc | null> {
    let m = this.txn.writes.get(coll);
    if (!m) {
      m = new Map();
      this.txn.writes.set(coll, m);
    }
    return m;
  }

  /** The document as this transaction sees it. */
  get(coll: Collection, idKey: string): Doc | null {
    const m = this.txn.writes.get(coll);
    if (m?.has(idKey)) return m.get(idKey) ?? null;
    return this.engine.visibleAt(coll, idKey, this.txn.snapshot);
  }

  protected scan(coll: Collection, test: Matcher, candidates: string[] | null, limit: number): Match[] {
    const out: Match[] = [];
    const overlay = this.txn.writes.get(coll);
    const consider = (idKey: string): boolean => {
      if (overlay?.has(idKey)) return false;
      const doc = this.engine.visibleAt(coll, idKey, this.txn.snapshot);
      if (doc) this.engine.scannedObjects++;
      if (doc && test(doc)) out.push({ idKey, doc });
      return out.length >= limit;
    };
    // Indexes reflect the current state. A document without history entries has not changed since
    // our snapshot (every later write records one while we are open), so the index is exact for it;
    // documents with history are judged one by one at their snapshot version.
    let done = false;
    if (candidates) {
      for (const idKey of candidates) {
        if (coll.history.has(idKey)) continue;
        done = consider(idKey);
        if (done) break;
      }
      if (!done) {
        for (const idKey of coll.history.keys()) {
          done = consider(idKey);
          if (done) break;
        }
      }
    } else {
      for (const idKey of coll.records.keys()) {
        done = consider(idKey);
        if (done) break;
      }
      if (!done) {
        for (const idKey of coll.history.keys()) {
          if (coll.records.has(idKey)) continue;
          done = consider(idKey);
          if (done) break;
        }
      }
    }
    if (!done && overlay) {
      for (const [idKey, doc] of overlay) {
        if (doc && test(doc)) {
          out.push({ idKey, doc });
          if (out.length >= limit) break;
        }
      }
    }
    return out;
  }

  private lock(key: string): void {
    const holder = this.engine.locks.get(key);
    if (holder && holder !== this.txn) throw writeConflict();
    this.engine.locks.set(key, this.txn);
    this.txn.held.add(key);
  }

  private lockDoc(coll: Collection, idKey: string): void {
    if (this.engine.changedSince(coll, idKey, this.txn.snapshot)) throw writeConflict();
    this.lock(`${coll.ns}\u0000${idKey}`);
  }

  private checkUnique(coll: Collection, idKey: string, doc: Doc): void {
    const overlay = this.txn.writes.get(coll);
    for (const ix of coll.indexes) {
      if (!ix.unique || ix.isId) continue;
      for (const e of ix.entries(doc) ?? []) {
        for (const other of ix.lookup(e.key)) {
          if (other === idKey) continue;
          if (overlay?.has(other)) continue; // judged by its overlay version below
          if (this.engine.changedSince(coll, other, this.txn.snapshot)) throw writeConflict();
          throw ix.duplicateError(coll.ns, e);
        }
        if (overlay) {
          for (const [other, odoc] of overlay) {
            if (other !== idKey && odoc && ix.keys(odoc).includes(e.key)) throw ix.duplicateError(coll.ns, e);
          }
        }
        this.lock(`${coll.ns}\u0000${ix.spec.name}\u0000${e.key}`);
      }
    }
  }

  protected insertStorable(coll: Collection, doc: Doc): void {
    this.assertUsable();
    const idKey = keyOf(doc._id);
    if (this.get(coll, idKey)) throw this.engine.idDuplicate(coll, doc._id);
    this.lockDoc(coll, idKey);
    this.checkUnique(coll, idKey, doc);
    this.overlay(coll).set(idKey, doc);
  }

  protected replaceStorable(coll: Collection, idKey: string, doc: Doc): void {
    this.assertUsable();
    this.lockDoc(coll, idKey);
    this.checkUnique(coll, idKey, doc);
    this.overlay(coll).set(idKey, doc);
  }

  remove(coll: Collection, idKey: string): void {
    this.assertUsable();
    this.lockDoc(coll, idKey);
    this.overlay(coll).set(idKey, null);
  }
}
