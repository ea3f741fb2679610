import { cloneDoc, type Doc, isPlainObject, keyOf } from '../storage/values.ts';

/**
 * The update most clients send — `$set`, `$unset` and `$inc` of named fields — applied directly.
 * mingo's updater builds a fresh operator context for every document it updates (copying its
 * operator tables), which made it the store's largest cost per write; this path handles the
 * common shape and leaves everything else to mingo: positional or numeric path segments, an
 * intermediate value that is not a document (mongod's "Cannot create field" cases), a non-number
 * `$inc`, and every other operator.
 */

const FIELD_OPERATORS = new Set(['$set', '$unset', '$inc']);

interface FieldChange {
  op: '$set' | '$unset' | '$inc';
  /** The document holding the field (created on apply where missing), reached through `parents`. */
  parents: string[];
  field: string;
  value: unknown;
}

/** A named-field path: no positional `$`, no array index, no empty segment. */
const namedSegments = (path: string): string[] | undefined => {
  const segments = path.split('.');
  return segments.every((s) => s.length > 0 && !s.includes('$') && !/^\d+$/.test(s)) ? segments : undefined;
};

/** Whether every existing value along `parents` is a document (missing ones are created by `$set`/`$inc`). */
const reachable = (doc: Doc, parents: string[]): boolean => {
  let current: unknown = doc;
  for (const segment of parents) {
    if (current === undefined) return true;
    if (!isPlainObject(current)) return false;
    current = current[segment];
  }
  return current === undefined || isPlainObject(current);
};

const holder = (doc: Doc, parents: string[], create: boolean): Doc | undefined => {
  let current = doc;
  for (const segment of parents) {
    const next = current[segment];
    if (next === undefined) {
      if (!create) return undefined;
      current[segment] = {};
    }
    current = current[segment] as Doc;
  }
  return current;
};

const plan = (doc: Doc, ops: Doc): FieldChange[] | undefined => {
  const changes: FieldChange[] = [];
  for (const [op, fields] of Object.entries(ops)) {
    if (!FIELD_OPERATORS.has(op) || !isPlainObject(fields)) return undefined;
    for (const [path, value] of Object.entries(fields)) {
      const segments = namedSegments(path);
      if (!segments) return undefined;
      const field = segments.pop()!;
      if (!reachable(doc, segments)) return undefined;
      if (op === '$inc') {
        const current = holder(doc, segments, false)?.[field];
        if (typeof value !== 'number' || (current !== undefined && typeof current !== 'number'))
          return undefined;
      }
      changes.push({ op: op as FieldChange['op'], parents: segments, field, value });
    }
  }
  return changes;
};

const apply = (doc: Doc, { op, parents, field, value }: FieldChange): boolean => {
  if (op === '$unset') {
    const at = holder(doc, parents, false);
    if (!at || !(field in at)) return false;
    delete at[field];
    return true;
  }
  const at = holder(doc, parents, true)!;
  if (op === '$inc') {
    const current = at[field] as number | undefined;
    at[field] = (current ?? 0) + (value as number);
    return current === undefined || value !== 0;
  }
  if (field in at && keyOf(at[field]) === keyOf(value)) return false;
  at[field] = cloneDoc(value);
  return true;
};

/**
 * Applies `ops` to `doc` in place when they are all named-field `$set`/`$unset`/`$inc`: whether it
 * changed, or undefined (nothing touched) when the update needs the general engine.
 */
export function applyFieldUpdate(doc: Doc, ops: Doc): boolean | undefined {
  const changes = plan(doc, ops);
  if (!changes) return undefined;
  let changed = false;
  for (const change of changes) changed = apply(doc, change) || changed;
  return changed;
}
