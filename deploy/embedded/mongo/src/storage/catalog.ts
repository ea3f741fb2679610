import { UUID } from 'bson';
import { HashIndex, type IndexSpec } from '../indexes/hash-index.ts';
import type { Doc } from './values.ts';

/** A committed document with the logical clock value of the write that produced it. */
export interface Rec {
  doc: Doc;
  ver: number;
  /**
   * This version's journal frame (`{op: 'put'}`), kept for the snapshots to write as it is: a
   * snapshot then costs a copy of the data, not its serialisation. Only with a journal.
   */
  frame: Uint8Array | undefined;
}

/** A superseded version kept while transactions with an older snapshot are open. */
export interface Hist {
  doc: Doc | null;
  ver: number;
  end: number;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** A collection: documents keyed by the canonical `_id` key (which doubles as the `_id_` index). */
export class Collection {
  readonly db: string;
  readonly name: string;
  readonly uuid = new UUID();
  readonly options: Doc;
  readonly records = new Map<string, Rec>();
  readonly history = new Map<string, Hist[]>();
  indexes: HashIndex[] = [new HashIndex(ID_INDEX_SPEC)];

  constructor(db: string, name: string, options: Doc = {}) {
    this.db = db;
    this.name = name;
    this.options = options;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  index(name: string): HashIndex | undefined {
    return this.indexes.find((i) => i.spec.name === name);
  }
}

/** Databases and their collections. */
export class Catalog {
  readonly dbs = new Map<string, Map<string, Collection>>();

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  create(db: string, name: string, options: Doc = {}): Collection {
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    const c = new Collection(db, name, options);
    colls.set(name, c);
    return c;
  }

  drop(db: string, name: string): Collection | undefined {
    const colls = this.dbs.get(db);
    const c = colls?.get(name);
    if (!colls || !c) return undefined;
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
    return c;
  }

  /** Moves a collection (documents and indexes) to a new namespace. */
  rename(from: Collection, toDb: string, toName: string): Collection {
    this.drop(from.db, from.name);
    const to = this.create(toDb, toName, from.options);
    for (const [k, rec] of from.records) to.records.set(k, rec);
    to.indexes = from.indexes;
    return to;
  }

  dropDatabase(db: string): boolean {
    return this.dbs.delete(db);
  }

  *all(): Iterable<Collection> {
    for (const colls of this.dbs.values()) yield* colls.values();
  }
}
