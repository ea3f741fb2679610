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

/** The values an `$in` condition accepts, when they are plain scalars an index can look up. */
function inValues(cond: unknown): unknown[] | undefined {
  if (!isPlainObject(cond) || Object.keys(cond).length !== 1 || !Array.isArray(cond.$in)) return undefined;
  const vals = cond.$in as unknown[];
  return vals.every(
    (v) => !(v instanceof RegExp) && !isPlainObject(v) && !Array.isArray(v) && bsonType(v) !== 'BSONRegExp',
  )
    ? vals
    : undefined;
}

/**
 * Fields a filter pins to one value (equality) or to a few (`$in`): its top-level fields plus
 * those of top-level `$and` members. Each field maps to the list of values it may take.
 */
function equalityConditions(filter: Doc, out: Map<string, unknown[]> = new Map()): Map<string, unknown[]> {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) equalityConditions(sub, out);
    } else if (!k.startsWith('$') && !out.has(k)) {
      const eq = equalityValue(v);
      const values = eq ? [eq.v] : inValues(v);
      if (values) out.set(k, values);
    }
  }
  return out;
}

/** Every combination of one value per field, or undefined past `limit` combinations. */
function combinations(choices: unknown[][], limit: number): unknown[][] | undefined {
  let out: unknown[][] = [[]];
  for (const values of choices) {
    out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
    if (out.length > limit) return undefined;
  }
  return out;
}

/** At most this many index lookups for one `$in` query before it falls back to a shorter prefix. */
const MAX_LOOKUPS = 1000;

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
  const ids = eqs.get('_id');
  if (ids && (kind === 'simple' || ids.every((v) => typeof v !== 'string' && !isPlainObject(v))))
    return [...new Set(ids.map((v) => keyOf(v)))];
  let best: { ix: HashIndex; tuples: unknown[][]; width: number; score: number } | undefined;
  for (const ix of coll.indexes) {
    if (ix.isId || ix.isPartial || ix.foldKind !== kind) continue;
    const choices: unknown[][] = [];
    for (const f of ix.fields) {
      const values = eqs.get(f);
      // a sparse index lacks documents missing all its fields, which `null` would match
      if (!values || (ix.sparse && values.includes(null))) break;
      choices.push(values);
    }
    if (choices.length === 0) continue;
    const tuples = combinations(choices, MAX_LOOKUPS);
    if (!tuples) continue;
    const full = choices.length === ix.fields.length;
    const score = (full ? (ix.unique ? 2000 : 1000) : 0) + choices.length;
    if (!best || score > best.score) best = { ix, tuples, width: choices.length, score };
  }
  if (!best) return null;
  const { ix, tuples, width } = best;
  if (tuples.length === 1) return ix.lookup(ix.lookupKey(tuples[0]!), width);
  return [...new Set(tuples.flatMap((tuple) => ix.lookup(ix.lookupKey(tuple), width)))];
}
