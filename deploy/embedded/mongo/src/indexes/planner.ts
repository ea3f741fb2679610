import type { FoldKind } from '../query/collation.ts';
import type { Collection } from '../storage/catalog.ts';
import { type Doc, isPlainObject, keyOf } from '../storage/values.ts';
import type { HashIndex } from './hash-index.ts';

function bsonType(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const t = (v as { _bsontype?: unknown })._bsontype;
  return typeof t === 'string' ? t : undefined;
}

/** The value a filter condition requires by equality, or undefined when it is not a plain equality. */
function equalityValue(cond: unknown): { v: unknown } | undefined {
  if (cond === undefined || cond instanceof RegExp || Array.isArray(cond)) return undefined;
  if (bsonType(cond) === 'BSONRegExp') return undefined;
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.some((k) => k.startsWith('$'))) {
      if (keys.length === 1 && keys[0] === '$eq') {
        const inner = cond.$eq;
        if (inner instanceof RegExp) return { v: inner };
        return equalityValue(inner);
      }
      return undefined;
    }
  }
  return { v: cond };
}

/** Equality conditions of a filter: its top-level fields plus those of top-level `$and` members. */
function equalityConditions(filter: Doc, out: Map<string, unknown> = new Map()): Map<string, unknown> {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) equalityConditions(sub, out);
    } else if (!k.startsWith('$') && !out.has(k)) {
      const eq = equalityValue(v);
      if (eq) out.set(k, eq.v);
    }
  }
  return out;
}

/**
 * Picks candidate `_id` keys for a filter from the `_id` map or a hash index whose leading fields
 * all have equality conditions (the whole key tuple preferred, unique indexes first). Returns null
 * when no index applies (the caller scans). Candidates are a superset of the matches: the caller
 * still applies the full filter.
 */
export function candidateIds(coll: Collection, filter: Doc, kind: FoldKind = 'simple'): string[] | null {
  const idCond = filter._id;
  // the _id index has the simple collation: usable under another one only for non-string values
  const idUsable =
    kind === 'simple' || (typeof idCond !== 'string' && !isPlainObject(idCond) && !Array.isArray(idCond));
  if (idCond !== undefined && idUsable) {
    const eq = equalityValue(idCond);
    if (eq) return [keyOf(eq.v)];
    if (isPlainObject(idCond) && Object.keys(idCond).length === 1 && Array.isArray(idCond.$in)) {
      const vals = idCond.$in as unknown[];
      if (vals.every((v) => !(v instanceof RegExp) && !isPlainObject(v) && !Array.isArray(v))) {
        return [...new Set(vals.map((v) => keyOf(v)))];
      }
    }
  }
  const eqs = equalityConditions(filter);
  if (eqs.size === 0) return null;
  const idv = eqs.get('_id');
  if (eqs.has('_id') && (kind === 'simple' || (typeof idv !== 'string' && !isPlainObject(idv))))
    return [keyOf(idv)];
  let best: { ix: HashIndex; vals: unknown[]; score: number } | undefined;
  for (const ix of coll.indexes) {
    if (ix.isId || ix.isPartial || ix.foldKind !== kind) continue;
    const vals: unknown[] = [];
    for (const f of ix.fields) {
      if (!eqs.has(f)) break;
      const v = eqs.get(f);
      // a sparse index lacks documents missing all its fields, which `null` would match
      if (v === null && ix.sparse) break;
      vals.push(v);
    }
    if (vals.length === 0) continue;
    const full = vals.length === ix.fields.length;
    const score = (full ? (ix.unique ? 2000 : 1000) : 0) + vals.length;
    if (!best || score > best.score) best = { ix, vals, score };
  }
  if (!best) return null;
  return best.ix.lookup(best.ix.lookupKey(best.vals), best.vals.length);
}
