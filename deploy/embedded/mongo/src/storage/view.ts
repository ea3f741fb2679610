import { candidateIds } from '../indexes/planner.ts';
import { foldKind } from '../query/collation.ts';
import { compileFilter, type Matcher } from '../query/mingo.ts';
import type { Collection } from './catalog.ts';
import type { Engine } from './engine.ts';
import { checkStorable } from './limits.ts';
import type { Doc } from './values.ts';

export interface Match {
  idKey: string;
  doc: Doc;
}

/**
 * What command handlers read and write through: the committed state (CommittedView) or a
 * transaction's snapshot plus its private overlay (TxnView in sessions/transaction.ts).
 * Documents returned must not be mutated by callers.
 */
export interface View {
  readonly engine: Engine;
  /** Matching documents in natural order; stops after `limit` matches; `collation` as in commands. */
  match(coll: Collection | undefined, filter: Doc | undefined, limit?: number, collation?: unknown): Match[];
  insert(coll: Collection, doc: Doc): void;
  replace(coll: Collection, idKey: string, doc: Doc): void;
  remove(coll: Collection, idKey: string): void;
}

/**
 * What both views share: `match` compiles the filter and asks the indexes for candidate ids; each
 * view walks them (or, with no usable index, everything) its own way in `scan`.
 */
export abstract class ViewBase {
  abstract readonly engine: Engine;

  match(
    coll: Collection | undefined,
    filter: Doc | undefined,
    limit = Number.POSITIVE_INFINITY,
    collation?: unknown,
  ): Match[] {
    this.assertUsable();
    if (!coll || limit <= 0) return [];
    const test = compileFilter(filter, collation);
    const candidates = filter ? candidateIds(coll, filter, foldKind(collation)) : null;
    return this.scan(coll, test, candidates, limit);
  }

  /** Stores a new document (insert, upsert) — refused as mongod refuses it when over its limits. */
  insert(coll: Collection, doc: Doc): void {
    checkStorable(doc, 'insert');
    this.insertStorable(coll, doc);
  }

  /** Replaces a document with its updated version — refused when that is over mongod's limits. */
  replace(coll: Collection, idKey: string, doc: Doc): void {
    checkStorable(doc, 'update');
    this.replaceStorable(coll, idKey, doc);
  }

  protected abstract insertStorable(coll: Collection, doc: Doc): void;
  protected abstract replaceStorable(coll: Collection, idKey: string, doc: Doc): void;

  /** Throws when the view can no longer be read or written (a doomed transaction). */
  protected assertUsable(): void {}

  /** Up to `limit` documents passing `test`, among `candidates` when the indexes narrowed them. */
  protected abstract scan(
    coll: Collection,
    test: Matcher,
    candidates: string[] | null,
    limit: number,
  ): Match[];
}

export class CommittedView extends ViewBase implements View {
  readonly engine: Engine;

  constructor(engine: Engine) {
    super();
    this.engine = engine;
  }

  protected scan(coll: Collection, test: Matcher, candidates: string[] | null, limit: number): Match[] {
    const out: Match[] = [];
    if (candidates) {
      for (const idKey of candidates) {
        const rec = coll.records.get(idKey);
        if (rec) this.engine.scannedObjects++;
        if (rec && test(rec.doc)) {
          out.push({ idKey, doc: rec.doc });
          if (out.length >= limit) break;
        }
      }
      return out;
    }
    for (const [idKey, rec] of coll.records) {
      this.engine.scannedObjects++;
      if (test(rec.doc)) {
        out.push({ idKey, doc: rec.doc });
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  protected insertStorable(coll: Collection, doc: Doc): void {
    this.engine.insert(coll, doc);
  }

  protected replaceStorable(coll: Collection, idKey: string, doc: Doc): void {
    this.engine.replace(coll, idKey, doc);
  }

  remove(coll: Collection, idKey: string): void {
    this.engine.remove(coll, idKey);
  }
}
