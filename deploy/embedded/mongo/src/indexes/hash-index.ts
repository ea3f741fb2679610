import { Query } from 'mingo';
import { CommandError } from '../errors.ts';
import { type FoldKind, folder, foldKind } from '../query/collation.ts';
import { type Doc, formatValue, isPlainObject, keyOf, pathValues } from '../storage/values.ts';

export interface IndexSpec {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  [option: string]: unknown;
}

export interface IndexEntry {
  key: string;
  values: unknown[];
}

/**
 * A secondary index kept as a hash map from the canonical key tuple to the `_id` keys holding it,
 * so equality lookups never scan. Multikey (array) fields produce one entry per element.
 * The `_id_` index is represented by the collection's record map itself (`isId`).
 */
export class HashIndex {
  readonly spec: IndexSpec;
  readonly fields: string[];
  readonly isId: boolean;
  readonly unique: boolean;
  readonly sparse: boolean;
  /** string folding from the index collation (strength 1/2 = case-insensitive keys) */
  readonly foldKind: FoldKind;
  private readonly fold: ((s: string) => string) | undefined;
  private readonly parts: string[][];
  private readonly partial: Query | undefined;
  /**
   * One hash map per key prefix (fields 1..i), the last one on the full key tuple: canonical key →
   * a single `_id` key or a set of them. Prefix maps let equality on leading fields of a compound
   * index avoid a scan too.
   */
  private readonly maps: Map<string, string | Set<string>>[];

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.parts = this.fields.map((f) => f.split('.'));
    this.isId = spec.name === '_id_';
    this.unique = this.isId || spec.unique === true;
    this.sparse = spec.sparse === true;
    this.foldKind = foldKind(spec.collation);
    this.fold = folder(this.foldKind);
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : undefined;
    this.maps = this.isId ? [] : this.fields.map(() => new Map());
  }

  get isPartial(): boolean {
    return this.partial !== undefined;
  }

  /** Index entries of a document, or null when the document is not in this index (sparse/partial). */
  entries(doc: Doc): IndexEntry[] | null {
    const perField = this.fieldValues(doc);
    if (!perField) return null;
    let combos: IndexEntry[] = [{ key: '', values: [] }];
    for (const vals of perField) {
      const next: IndexEntry[] = [];
      const seen = new Set<string>();
      for (const v of vals) {
        const k = keyOf(v, this.fold);
        if (seen.has(k)) continue;
        seen.add(k);
        for (const c of combos) next.push({ key: `${c.key}${k.length}:${k}`, values: [...c.values, v] });
      }
      combos = next;
    }
    return combos;
  }

  /** The values of each indexed field in `doc`, or null when the document is not in this index. */
  private fieldValues(doc: Doc): unknown[][] | null {
    if (this.partial && !this.partial.test(doc)) return null;
    const perField = this.parts.map((p) => pathValues(doc, p));
    if (this.sparse && perField.every((vals) => vals.every((v) => v === undefined))) return null;
    return perField;
  }

  keys(doc: Doc): string[] {
    const e = this.entries(doc);
    return e === null ? [] : e.map((x) => x.key);
  }

  /**
   * Distinct keys of a document for every key prefix: element i holds the keys of the first i+1
   * fields (the last element is the full key). Null when the document is not in this index.
   */
  private prefixKeys(doc: Doc): string[][] | null {
    const perField = this.fieldValues(doc);
    if (!perField) return null;
    const out: string[][] = [];
    let combos = [''];
    for (const vals of perField) {
      if (vals.length === 1) {
        // the common case (no array on the path): no de-duplication needed
        const k = keyOf(vals[0], this.fold);
        combos = combos.map((c) => `${c}${k.length}:${k}`);
        out.push(combos);
        continue;
      }
      const next = new Set<string>();
      const seen = new Set<string>();
      for (const v of vals) {
        const k = keyOf(v, this.fold);
        if (seen.has(k)) continue;
        seen.add(k);
        for (const c of combos) next.add(`${c}${k.length}:${k}`);
      }
      combos = [...next];
      out.push(combos);
    }
    return out;
  }

  /** Canonical key for an equality lookup on the first `values.length` fields. */
  lookupKey(values: unknown[]): string {
    let key = '';
    for (const v of values) {
      const k = keyOf(v, this.fold);
      key += `${k.length}:${k}`;
    }
    return key;
  }

  add(idKey: string, doc: Doc): void {
    this.forEachKey(doc, (map, k) => {
      const cur = map.get(k);
      if (cur === undefined) map.set(k, idKey);
      else if (typeof cur === 'string') {
        if (cur !== idKey) map.set(k, new Set([cur, idKey]));
      } else cur.add(idKey);
    });
  }

  remove(idKey: string, doc: Doc): void {
    this.forEachKey(doc, (map, k) => {
      const cur = map.get(k);
      if (cur === undefined) return;
      if (typeof cur === 'string') {
        if (cur === idKey) map.delete(k);
      } else {
        cur.delete(idKey);
        if (cur.size === 1) map.set(k, cur.values().next().value as string);
        else if (cur.size === 0) map.delete(k);
      }
    });
  }

  /** Re-indexes a replaced document; nothing to do when its keys did not change (most updates). */
  replace(idKey: string, before: Doc, after: Doc): void {
    if (this.isId) return;
    const [was, is] = [this.prefixKeys(before), this.prefixKeys(after)];
    const same =
      was === null || is === null
        ? was === is
        : was.every((keys, i) => keys.length === is[i]!.length && keys.every((k, j) => k === is[i]![j]));
    if (same) return;
    this.remove(idKey, before);
    this.add(idKey, after);
  }

  /** Visits every key of `doc` with the prefix map it belongs in (nothing for `_id_`, sparse, partial). */
  private forEachKey(doc: Doc, visit: (map: Map<string, string | Set<string>>, key: string) => void): void {
    if (this.isId) return;
    this.prefixKeys(doc)?.forEach((keys, i) => {
      const map = this.maps[i]!;
      for (const k of keys) visit(map, k);
    });
  }

  /** `_id` keys of documents whose first `prefixLength` fields (default: all) have `key`. */
  lookup(key: string, prefixLength = this.fields.length): string[] {
    const cur = this.maps[prefixLength - 1]?.get(key);
    if (cur === undefined) return [];
    return typeof cur === 'string' ? [cur] : [...cur];
  }

  duplicateError(ns: string, entry: IndexEntry): CommandError {
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => {
      const v = entry.values[i];
      keyValue[f] = v === undefined ? null : v;
    });
    const shown = this.fields.map((f) => `${f}: ${formatValue(keyValue[f])}`).join(', ');
    return new CommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${ns} index: ${this.spec.name} dup key: { ${shown} }`,
      { keyPattern: { ...this.spec.key }, keyValue },
    );
  }
}

/** Validates a createIndexes spec and normalises it. */
export function normaliseSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) throw new CommandError('TypeMismatch', 'index specification must be an object');
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw new CommandError('CannotCreateIndex', 'Index keys cannot be empty.');
  }
  for (const [f, dir] of Object.entries(key)) {
    if (f === '' || f.startsWith('$')) throw new CommandError('BadValue', `Bad index key pattern: ${f}`);
    if (!(dir === 1 || dir === -1 || typeof dir === 'string')) {
      throw new CommandError('BadValue', `Values in the index key pattern can't be ${formatValue(dir)}`);
    }
  }
  const name =
    typeof raw.name === 'string'
      ? raw.name
      : Object.entries(key)
          .map(([f, d]) => `${f}_${String(d)}`)
          .join('_');
  const spec: IndexSpec = { v: 2, key: { ...key }, name };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'key' || k === 'name' || k === 'v' || k === 'ns') continue;
    if (k === 'unique' || k === 'sparse') {
      if (v === true) spec[k] = true;
      continue;
    }
    if (k === 'partialFilterExpression') {
      if (!isPlainObject(v))
        throw new CommandError('TypeMismatch', 'partialFilterExpression must be an object');
      spec.partialFilterExpression = v;
      continue;
    }
    spec[k] = v;
  }
  return spec;
}
