import type { FoldKind } from '../query/collation.ts';
import type { Collection } from '../storage/catalog.ts';
import { type Doc, isPlainObject, keyOf } from '../storage/values.ts';

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

/**
 * Picks candidate `_id` keys for a filter from the `_id` map or an equality-covered hash index.
 * Returns null when no index applies (the caller scans). Candidates are a superset of the matches:
 * the caller still applies the full filter.
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
  for (const ix of coll.indexes) {
    if (ix.isId || ix.isPartial || ix.foldKind !== kind) continue;
    const vals: unknown[] = [];
    for (const f of ix.fields) {
      const eq = equalityValue(filter[f]);
      if (!eq || (eq.v === null && ix.sparse)) break;
      vals.push(eq.v);
    }
    if (vals.length === ix.fields.length) return ix.lookup(ix.lookupKey(vals));
  }
  return null;
}
