import { Aggregator, ProcessingMode, Query } from 'mingo';
import type { Options } from 'mingo/types';
import { compare } from 'mingo/util';
import { CommandError } from '../errors.ts';
import { type Doc, getPath, idFirst, isPlainObject, keyOf, pathValues } from '../storage/values.ts';
import { folder, foldKind, foldValue } from './collation.ts';

export const MINGO_OPTIONS: Partial<Options> = { idKey: '_id' };

function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError('BadValue', `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export type Matcher = (doc: Doc) => boolean;

const isScalar = (v: unknown): boolean =>
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && !Number.isNaN(v)) ||
  v instanceof Date ||
  (typeof v === 'object' && v !== null && (v as { _bsontype?: unknown })._bsontype === 'ObjectId');

/**
 * Matcher for the most common filter shapes, `{ field: scalar | { $in: [scalar, …] }, … }`
 * (strings, numbers, booleans, dates, ObjectIds — no null, no regex, no arrays): compared by
 * canonical key with MongoDB's array-element semantics, without building a mingo Query (whose
 * construction copies its whole operator table).
 */
function simpleMatcher(filter: Doc): Matcher | undefined {
  const checks: [string[], Set<string>][] = [];
  for (const [field, v] of Object.entries(filter)) {
    if (field.startsWith('$')) return undefined;
    if (isScalar(v)) {
      checks.push([field.split('.'), new Set([keyOf(v)])]);
      continue;
    }
    if (!isPlainObject(v) || Object.keys(v).length !== 1 || !Array.isArray(v.$in)) return undefined;
    if (!v.$in.every(isScalar)) return undefined;
    checks.push([field.split('.'), new Set(v.$in.map((x) => keyOf(x)))]);
  }
  return (doc) => {
    for (const [parts, keys] of checks) {
      if (!pathValues(doc, parts).some((x) => keys.has(keyOf(x)))) return false;
    }
    return true;
  };
}

/**
 * Compiles a query filter (mingo); an empty filter matches everything without compiling. With a
 * case-insensitive collation, strings in the filter and in each tested document are folded first.
 */
export function compileFilter(filter: unknown, collation?: unknown): Matcher {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw new CommandError('TypeMismatch', 'filter must be an object');
  if (Object.keys(filter).length === 0) return () => true;
  const fold = folder(foldKind(collation));
  if (fold) {
    const folded = wrap('invalid query', () => new Query(foldValue(filter, fold), MINGO_OPTIONS));
    return (doc) => wrap('query failed', () => folded.test(foldValue(doc, fold)));
  }
  const simple = simpleMatcher(filter);
  if (simple) return simple;
  const q = wrap('invalid query', () => new Query(filter, MINGO_OPTIONS));
  return (doc) => wrap('query failed', () => q.test(doc));
}

/** Stages that only read their input documents (never edit them in place). */
const READ_ONLY_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count', '$group', '$sortByCount']);

/**
 * Runs a pipeline over stored documents. Some mingo stages ($project exclusions, $unset, …)
 * edit their input in place, so inputs are cloned: a read must never change what is stored.
 * Pipelines made only of read-only stages (e.g. countDocuments' $match + $group) skip the copy.
 */
export function runPipeline(docs: Doc[], pipeline: Doc[], options: Partial<Options> = {}): Doc[] {
  const readOnly = pipeline.every((stage) => READ_ONLY_STAGES.has(Object.keys(stage)[0] ?? ''));
  return wrap('aggregation failed', () =>
    new Aggregator(pipeline, {
      ...MINGO_OPTIONS,
      processingMode: readOnly ? ProcessingMode.CLONE_OFF : ProcessingMode.CLONE_INPUT,
      ...options,
    }).run(docs),
  ) as Doc[];
}

/** Find-style projection (mingo $project), keeping `_id` first as the server does. */
export function projectAll(docs: Doc[], projection: Doc | undefined): Doc[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  return runPipeline(docs, [{ $project: projection }]).map(idFirst);
}

export function project(doc: Doc, projection: Doc | undefined): Doc {
  return projectAll([doc], projection)[0] ?? {};
}

export function sortDocs<T>(items: T[], sort: Doc, get: (item: T) => Doc, collation?: unknown): T[] {
  const fold = folder(foldKind(collation));
  const value = (item: T, field: string): unknown => {
    const v = getPath(get(item), field);
    return fold ? foldValue(v, fold) : v;
  };
  const keys = Object.entries(sort);
  if (keys.length === 0) return items;
  for (const [, dir] of keys) {
    if (dir !== 1 && dir !== -1 && !isPlainObject(dir)) {
      throw new CommandError(
        'BadValue',
        `$sort key ordering must be 1 (for ascending) or -1 (for descending)`,
      );
    }
  }
  return items.sort((a, b) => {
    for (const [field, dir] of keys) {
      if (isPlainObject(dir)) continue;
      const c = compare(value(a, field), value(b, field));
      if (c !== 0) return dir === -1 ? -c : c;
    }
    return 0;
  });
}
