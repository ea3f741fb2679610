import { Binary } from 'bson';
import { CommandError } from '../errors.ts';
import { HashIndex, type IndexSpec } from '../indexes/hash-index.ts';
import { encodeFrame, forEachFrame, type Journal } from '../journal/journal.ts';
import { Catalog, type Collection, type Rec } from './catalog.ts';
import { type Doc, isPlainObject, keyOf, pathValues } from './values.ts';

/** What the engine needs to know about an open transaction (see sessions/transaction.ts). */
export interface LockOwner {
  readonly snapshot: number;
  doomed: boolean;
}

export interface CommitOp {
  coll: Collection;
  idKey: string;
  doc: Doc | null;
}

/**
 * The committed state: catalog, logical clock, index maintenance, version history for snapshot
 * reads, write locks held by transactions, and journaling. All methods are synchronous; the
 * single JS thread makes each command atomic with respect to the others.
 */
export class Engine {
  readonly catalog = new Catalog();
  readonly journal: Journal | undefined;
  clock = 0;
  /** documents examined by queries (serverStatus metrics.queryExecutor.scannedObjects) */
  scannedObjects = 0;
  readonly activeTxns = new Set<LockOwner>();
  readonly locks = new Map<string, LockOwner>();
  private readonly histColls = new Set<Collection>();
  private replaying = false;

  constructor(journal?: Journal) {
    this.journal = journal;
  }

  recover(): { snapshotRecords: number; journalRecords: number } | undefined {
    if (!this.journal) return undefined;
    this.replaying = true;
    try {
      return this.journal.recover((rec, frame) => this.applyRecord(rec, frame));
    } finally {
      this.replaying = false;
    }
  }

  private log(rec: Doc): void {
    if (!this.replaying) this.journal?.append(rec);
  }

  // ---------------------------------------------------------------- catalog

  collection(db: string, name: string): Collection | undefined {
    return this.catalog.get(db, name);
  }

  ensureCollection(db: string, name: string, options: Doc = {}): Collection {
    const existing = this.catalog.get(db, name);
    if (existing) return existing;
    validateNamespace(db, name);
    const c = this.catalog.create(db, name, options);
    this.log({ op: 'create', db, c: name, options });
    return c;
  }

  dropCollection(db: string, name: string): Collection | undefined {
    const c = this.catalog.drop(db, name);
    if (c) this.log({ op: 'drop', db, c: name });
    return c;
  }

  renameCollection(from: Collection, toDb: string, toName: string, dropTarget: boolean): Collection {
    validateNamespace(toDb, toName);
    if (dropTarget) this.catalog.drop(toDb, toName);
    const to = this.catalog.rename(from, toDb, toName);
    // the kept frames name the old namespace
    for (const rec of to.records.values()) rec.frame = undefined;
    this.log({ op: 'rename', db: from.db, c: from.name, toDb, toC: toName, dropTarget });
    return to;
  }

  dropDatabase(db: string): boolean {
    const had = this.catalog.dropDatabase(db);
    if (had) this.log({ op: 'dropDatabase', db });
    return had;
  }

  /** Builds an index over the existing documents; fails with DuplicateKey if a unique one cannot hold. */
  createIndex(coll: Collection, spec: IndexSpec): void {
    const ix = new HashIndex(spec);
    for (const [idKey, rec] of coll.records) {
      if (ix.unique && !this.replaying) {
        const entries = ix.entries(rec.doc) ?? [];
        for (const e of entries) {
          if (ix.lookup(e.key).some((other) => other !== idKey)) throw ix.duplicateError(coll.ns, e);
        }
      }
      ix.add(idKey, rec.doc);
    }
    coll.indexes.push(ix);
    this.log({ op: 'createIndex', db: coll.db, c: coll.name, spec });
  }

  /** collMod of a TTL index: the monitor applies the new expiry from its next pass on. */
  setExpireAfterSeconds(coll: Collection, indexName: string, expireAfterSeconds: number): void {
    const ix = coll.index(indexName);
    if (!ix) return;
    ix.spec.expireAfterSeconds = expireAfterSeconds;
    this.log({ op: 'setExpireAfterSeconds', db: coll.db, c: coll.name, name: indexName, expireAfterSeconds });
  }

  dropIndex(coll: Collection, name: string): void {
    coll.indexes = coll.indexes.filter((i) => i.spec.name !== name);
    this.log({ op: 'dropIndex', db: coll.db, c: coll.name, name });
  }

  // ---------------------------------------------------------------- documents

  /** Throws DuplicateKey when `doc` (stored under `idKey`) would violate a unique secondary index. */
  checkUnique(coll: Collection, idKey: string, doc: Doc): void {
    for (const ix of coll.indexes) {
      if (!ix.unique || ix.isId) continue;
      for (const e of ix.entries(doc) ?? []) {
        if (ix.lookup(e.key).some((other) => other !== idKey)) throw ix.duplicateError(coll.ns, e);
      }
    }
  }

  idDuplicate(coll: Collection, id: unknown): CommandError {
    const ix = coll.indexes[0]!;
    return ix.duplicateError(coll.ns, { key: keyOf(id), values: [id] });
  }

  insert(coll: Collection, doc: Doc): void {
    const idKey = keyOf(doc._id);
    if (coll.records.has(idKey)) throw this.idDuplicate(coll, doc._id);
    this.checkUnique(coll, idKey, doc);
    this.write(coll, idKey, doc, true);
  }

  replace(coll: Collection, idKey: string, doc: Doc): void {
    this.checkUnique(coll, idKey, doc);
    this.write(coll, idKey, doc, true);
  }

  remove(coll: Collection, idKey: string): void {
    if (coll.records.has(idKey)) this.write(coll, idKey, null, true);
  }

  /** The journal frame of `doc` as the current version of `coll`'s document (without a journal, none). */
  private putFrame(coll: Collection, doc: Doc): Uint8Array | undefined {
    return this.journal && encodeFrame({ op: 'put', db: coll.db, c: coll.name, doc });
  }

  /**
   * Applies one write. `journal`: this write is journaled as its own record (not replayed, not part
   * of a transaction's record); `frame`: the version's put frame when the caller has it already.
   */
  private write(
    coll: Collection,
    idKey: string,
    doc: Doc | null,
    journal: boolean,
    frame?: Uint8Array,
  ): void {
    const old = coll.records.get(idKey);
    // journal first: a record that cannot be encoded must fail the write, not leave memory ahead
    // of the journal
    if (journal && !this.replaying) {
      if (doc) {
        frame = this.putFrame(coll, doc);
        if (frame) this.journal?.appendFrame(frame);
      } else if (old) this.log({ op: 'del', db: coll.db, c: coll.name, id: old.doc._id });
    }
    if (this.locks.size > 0) this.doomLockHolders(coll, idKey, old?.doc, doc);
    const ver = ++this.clock;
    if (this.activeTxns.size > 0) {
      let h = coll.history.get(idKey);
      if (!h) {
        h = [];
        coll.history.set(idKey, h);
      }
      h.push({ doc: old?.doc ?? null, ver: old?.ver ?? 0, end: ver });
      this.histColls.add(coll);
    }
    if (old && doc) for (const ix of coll.indexes) ix.replace(idKey, old.doc, doc);
    else if (old) for (const ix of coll.indexes) ix.remove(idKey, old.doc);
    if (doc) {
      coll.records.set(idKey, { doc, ver, frame });
      if (!old) for (const ix of coll.indexes) ix.add(idKey, doc);
    } else {
      coll.records.delete(idKey);
    }
  }

  /**
   * TTL monitor pass: removes documents whose date in a single-field index with
   * `expireAfterSeconds` is older than that many seconds (arrays: the earliest date counts).
   */
  expireTtl(now = Date.now()): number {
    let removed = 0;
    for (const coll of [...this.catalog.all()]) {
      for (const ix of coll.indexes) {
        const secs = ix.spec.expireAfterSeconds;
        if (typeof secs !== 'number' || ix.fields.length !== 1) continue;
        const field = ix.fields[0]!;
        const expired: string[] = [];
        for (const [idKey, rec] of coll.records) {
          const v = pathValues(rec.doc, field.split('.'));
          const times = v.filter((x): x is Date => x instanceof Date).map((d) => d.getTime());
          if (times.length > 0 && Math.min(...times) + secs * 1000 <= now) expired.push(idKey);
        }
        for (const idKey of expired) this.write(coll, idKey, null, true);
        removed += expired.length;
      }
    }
    return removed;
  }

  // ---------------------------------------------------------------- transactions support

  lockKeys(coll: Collection, idKey: string, doc: Doc | null | undefined): string[] {
    const keys = [`${coll.ns}\u0000${idKey}`];
    if (doc) {
      for (const ix of coll.indexes) {
        if (!ix.unique || ix.isId) continue;
        for (const k of ix.keys(doc)) keys.push(`${coll.ns}\u0000${ix.spec.name}\u0000${k}`);
      }
    }
    return keys;
  }

  /** A write outside a transaction touched something a transaction holds: that transaction must abort. */
  private doomLockHolders(
    coll: Collection,
    idKey: string,
    oldDoc: Doc | undefined,
    newDoc: Doc | null,
  ): void {
    for (const k of [...this.lockKeys(coll, idKey, oldDoc), ...this.lockKeys(coll, idKey, newDoc)]) {
      const owner = this.locks.get(k);
      if (owner) owner.doomed = true;
    }
  }

  beginTxn(owner: LockOwner): void {
    this.activeTxns.add(owner);
  }

  releaseTxn(owner: LockOwner, held: Iterable<string>): void {
    for (const k of held) if (this.locks.get(k) === owner) this.locks.delete(k);
    this.activeTxns.delete(owner);
    this.pruneHistory();
  }

  /**
   * Applies a transaction's writes atomically and journals them as one record: the frames of its
   * writes, each as the journal would write it alone (the put frames are kept, as single writes'
   * are). Encoded first, so a write that cannot be encoded fails the commit before any applies.
   */
  commit(ops: CommitOp[]): void {
    const writes: { op: CommitOp; frame: Uint8Array | undefined }[] = [];
    const frames: Uint8Array[] = [];
    for (const op of ops) {
      // a collection dropped while the transaction ran: its writes go with it
      if (this.catalog.get(op.coll.db, op.coll.name) !== op.coll) continue;
      const existed = op.coll.records.get(op.idKey);
      if (!op.doc && !existed) continue;
      const frame = op.doc
        ? this.putFrame(op.coll, op.doc)
        : this.journal && encodeFrame({ op: 'del', db: op.coll.db, c: op.coll.name, id: existed!.doc._id });
      writes.push({ op, frame: op.doc ? frame : undefined });
      if (frame) frames.push(frame);
    }
    for (const { op, frame } of writes) this.write(op.coll, op.idKey, op.doc, false, frame);
    if (frames.length > 0) this.log({ op: 'tx', frames: new Binary(Buffer.concat(frames)) });
  }

  /** The committed version of a document as of logical time `snapshot` (null when absent). */
  visibleAt(coll: Collection, idKey: string, snapshot: number): Doc | null {
    const rec = coll.records.get(idKey);
    if (rec && rec.ver <= snapshot) return rec.doc;
    const h = coll.history.get(idKey);
    if (h) for (const e of h) if (e.ver <= snapshot && snapshot < e.end) return e.doc;
    return null;
  }

  /** Was the document written (inserted, updated or deleted) after `snapshot`? */
  changedSince(coll: Collection, idKey: string, snapshot: number): boolean {
    const rec = coll.records.get(idKey);
    if (rec && rec.ver > snapshot) return true;
    const h = coll.history.get(idKey);
    return h?.some((e) => e.end > snapshot) ?? false;
  }

  private pruneHistory(): void {
    if (this.histColls.size === 0) return;
    if (this.activeTxns.size === 0) {
      for (const c of this.histColls) c.history.clear();
      this.histColls.clear();
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.activeTxns) min = Math.min(min, t.snapshot);
    for (const c of this.histColls) {
      for (const [k, h] of c.history) {
        const kept = h.filter((e) => e.end > min);
        if (kept.length === 0) c.history.delete(k);
        else if (kept.length !== h.length) c.history.set(k, kept);
      }
      if (c.history.size === 0) this.histColls.delete(c);
    }
  }

  // ---------------------------------------------------------------- persistence

  /**
   * The full committed state as of now, as snapshot records produced lazily: documents are
   * captured by reference (a write replaces a document, never changes it in place), so the
   * snapshot can be written over many event-loop turns while writes go on.
   */
  captureState(): Iterable<Doc | Uint8Array> {
    const parts = Array.from(this.catalog.all(), (coll) => ({
      db: coll.db,
      c: coll.name,
      options: { ...coll.options },
      specs: coll.indexes.filter((ix) => !ix.isId).map((ix) => ({ ...ix.spec })),
      records: Array.from(coll.records.values()),
    }));
    return snapshotRecords(parts);
  }

  /** Applies one journal or snapshot record; `frame`: its encoding, kept for a put. */
  private applyRecord(rec: Doc, frame?: Uint8Array): void {
    const db = String(rec.db);
    const c = String(rec.c);
    switch (rec.op) {
      case 'create':
        this.ensureCollection(db, c, isPlainObject(rec.options) ? rec.options : {});
        return;
      case 'drop':
        this.catalog.drop(db, c);
        return;
      case 'dropDatabase':
        this.catalog.dropDatabase(db);
        return;
      case 'rename': {
        const from = this.catalog.get(db, c);
        if (from) this.renameCollection(from, String(rec.toDb), String(rec.toC), rec.dropTarget === true);
        return;
      }
      case 'createIndex': {
        const coll = this.ensureCollection(db, c);
        const spec = rec.spec as IndexSpec;
        if (!coll.index(spec.name)) this.createIndex(coll, spec);
        return;
      }
      case 'setExpireAfterSeconds': {
        const coll = this.catalog.get(db, c);
        if (coll) this.setExpireAfterSeconds(coll, String(rec.name), Number(rec.expireAfterSeconds));
        return;
      }
      case 'dropIndex':
        {
          const coll = this.catalog.get(db, c);
          if (coll) this.dropIndex(coll, String(rec.name));
        }
        return;
      case 'put': {
        const doc = rec.doc as Doc;
        // a copy: the frame is a view of a whole file read at recovery
        this.write(this.ensureCollection(db, c), keyOf(doc._id), doc, false, frame && keptCopy(frame));
        return;
      }
      // snapshots written before per-document records
      case 'putMany': {
        const coll = this.ensureCollection(db, c);
        for (const doc of rec.docs as Doc[]) this.write(coll, keyOf(doc._id), doc, false);
        return;
      }
      case 'del': {
        const coll = this.catalog.get(db, c);
        if (coll) this.write(coll, keyOf(rec.id), null, false);
        return;
      }
      case 'tx': {
        if (rec.frames instanceof Binary) {
          const frames = Buffer.from(rec.frames.buffer);
          if (forEachFrame(frames, (op, opFrame) => this.applyRecord(op, opFrame)) !== frames.length)
            throw new Error('journal record tx holds a corrupt frame');
        }
        // journals written before transactions were journaled as frames
        else for (const op of rec.ops as Doc[]) this.applyRecord(op);
        return;
      }
      default:
        throw new Error(`unknown journal record ${String(rec.op)}`);
    }
  }
}

export function validateNamespace(db: string, name: string): void {
  if (db.length === 0 || /[/\\. "$]/.test(db) || db.includes('\u0000')) {
    throw new CommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  }
  if (name.length === 0 || name.includes('\u0000') || name.startsWith('.') || name.includes('$')) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
}

interface CapturedCollection {
  db: string;
  c: string;
  options: Doc;
  specs: IndexSpec[];
  records: Rec[];
}

function* snapshotRecords(parts: CapturedCollection[]): Iterable<Doc | Uint8Array> {
  for (const { db, c, options, specs, records } of parts) {
    yield { op: 'create', db, c, options };
    for (const spec of specs) yield { op: 'createIndex', db, c, spec };
    // one record per document, as the journal writes them: the frame the write journaled, or
    // (a version written before a rename) encoded now and kept for the next snapshot
    for (const rec of records) {
      rec.frame ??= encodeFrame({ op: 'put', db, c, doc: rec.doc });
      yield rec.frame;
    }
  }
}

/** A frame in memory of its own, not a view that would keep the buffer it came from alive. */
function keptCopy(frame: Uint8Array): Uint8Array {
  const copy = Buffer.allocUnsafeSlow(frame.length);
  copy.set(frame);
  return copy;
}
