import { candidateIds } from '../indexes/planner.ts';
import { foldKind } from '../query/collation.ts';
import { compileFilter } from '../query/mingo.ts';
import type { Collection } from './catalog.ts';
import type { Engine } from './engine.ts';
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

export class CommittedView implements View {
  readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  match(
    coll: Collection | undefined,
    filter: Doc | undefined,
    limit = Number.POSITIVE_INFINITY,
    collation?: unknown,
  ): Match[] {
    const out: Match[] = [];
    if (!coll || limit <= 0) return out;
    const test = compileFilter(filter, collation);
    const ids = filter ? candidateIds(coll, filter, foldKind(collation)) : null;
    if (ids) {
      for (const idKey of ids) {
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

  insert(coll: Collection, doc: Doc): void {
    this.engine.insert(coll, doc);
  }

  replace(coll: Collection, idKey: string, doc: Doc): void {
    this.engine.replace(coll, idKey, doc);
  }

  remove(coll: Collection, idKey: string): void {
    this.engine.remove(coll, idKey);
  }
}
