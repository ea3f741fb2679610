import { ObjectId } from 'bson';
import { update as mingoUpdate } from 'mingo';
import type { Modifier } from 'mingo/updater';
import { CommandError } from '../errors.ts';
import { cloneDoc, type Doc, getPath, idFirst, isPlainObject, keyOf, setPath } from '../storage/values.ts';
import { applyFieldUpdate } from './field-update.ts';
import { MINGO_OPTIONS, runPipeline } from './mingo.ts';

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$rename',
  '$min',
  '$max',
  '$currentDate',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$push',
  '$bit',
  '$setOnInsert',
]);

export type UpdateKind = 'replacement' | 'operators' | 'pipeline';

/** Classifies the `u` of an update statement, rejecting malformed ones as the server does. */
export function updateKind(u: unknown): UpdateKind {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject))
      throw new CommandError('FailedToParse', 'Each element of the pipeline must be an object');
    return 'pipeline';
  }
  if (!isPlainObject(u)) {
    throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  }
  const keys = Object.keys(u);
  if (keys.length === 0 || !keys[0]!.startsWith('$')) {
    const op = keys.find((k) => k.startsWith('$'));
    if (op)
      throw new CommandError(
        'BadValue',
        `The dollar ($) prefixed field '${op}' in '${op}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
      );
    return 'replacement';
  }
  for (const k of keys) {
    if (!UPDATE_OPERATORS.has(k)) {
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${k}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(u[k])) {
      throw new CommandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${Array.isArray(u[k]) ? 'array' : typeof u[k]} instead. For example: {$mod: {<field>: ...}} not {${k}: ${JSON.stringify(u[k])}}`,
      );
    }
  }
  checkPathConflicts(u);
  return 'operators';
}

/** Two operators (or two fields of one) touching the same path or a path and its prefix: code 40. */
function checkPathConflicts(u: Doc): void {
  const seen: string[] = [];
  for (const [op, fields] of Object.entries(u)) {
    for (const path of Object.keys(fields as Doc)) {
      const targets = op === '$rename' ? [path, String((fields as Doc)[path])] : [path];
      for (const p of targets) {
        const clash = seen.find((q) => q === p || q.startsWith(`${p}.`) || p.startsWith(`${q}.`));
        if (clash !== undefined) {
          throw new CommandError(
            'ConflictingUpdateOperators',
            `Updating the path '${p}' would create a conflict at '${clash.length < p.length ? clash : p}'`,
          );
        }
        seen.push(p);
      }
    }
  }
}

function immutableId(): CommandError {
  return new CommandError(
    'ImmutableField',
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

/** `$set: { _id: <same value> }` is allowed; any other operator on `_id` is ImmutableField (66). */
function withoutIdNoops(old: Doc, u: Doc): Doc {
  let out = u;
  for (const [op, fields] of Object.entries(u)) {
    if (op === '$setOnInsert' || !isPlainObject(fields)) continue;
    for (const [path, value] of Object.entries(fields)) {
      if (path !== '_id' && !path.startsWith('_id.')) continue;
      if (op === '$set' && path === '_id' && keyOf(value) === keyOf(old._id)) {
        const { _id: _same, ...rest } = fields;
        out = { ...out, [op]: rest };
        continue;
      }
      throw immutableId();
    }
  }
  return out;
}

function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Date) return 'date';
  const bt = (v as { _bsontype?: unknown })?._bsontype;
  if (typeof bt === 'string') return bt.toLowerCase();
  return 'object';
}

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return true;
  const bt = (v as { _bsontype?: unknown })?._bsontype;
  return bt === 'Long' || bt === 'Decimal128' || bt === 'Int32' || bt === 'Double';
}

const ARRAY_OPERATORS = new Set(['$push', '$addToSet', '$pull', '$pullAll', '$pop']);

/** The type errors mongod raises (mingo would silently skip these). */
function checkOperandTypes(doc: Doc, ops: Doc): void {
  for (const [op, fields] of Object.entries(ops)) {
    if (!isPlainObject(fields)) continue;
    for (const [path, arg] of Object.entries(fields)) {
      if (path.includes('$')) continue; // positional paths: left to mingo
      const current = getPath(doc, path);
      if (op === '$inc' || op === '$mul') {
        if (!isNumeric(arg)) {
          throw new CommandError(
            'TypeMismatch',
            `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(arg)}}`,
          );
        }
        if (current !== undefined && current !== null && !isNumeric(current)) {
          throw new CommandError(
            'TypeMismatch',
            `Cannot apply ${op} to a value of non-numeric type. {_id: ${JSON.stringify(doc._id)}} has the field '${path.split('.').pop()}' of non-numeric type ${bsonTypeName(current)}`,
          );
        }
      } else if (ARRAY_OPERATORS.has(op) && current !== undefined && !Array.isArray(current)) {
        if (op === '$pull' || op === '$pullAll' || op === '$pop') {
          if (current === null) continue;
        }
        throw new CommandError(
          'BadValue',
          `The field '${path}' must be an array but is of type ${bsonTypeName(current)} in document {_id: ${JSON.stringify(doc._id)}}`,
        );
      }
    }
  }
}

function usesPositional(u: Doc): boolean {
  for (const v of Object.values(u)) {
    if (isPlainObject(v) && Object.keys(v).some((p) => p.includes('.$.') || p.endsWith('.$'))) return true;
  }
  return false;
}

function applyOperators(
  doc: Doc,
  u: Doc,
  arrayFilters: Doc[] | undefined,
  filter: Doc | undefined,
  insert: boolean,
): boolean {
  let { $setOnInsert, ...ops } = u;
  let changed = false;
  if (insert) {
    // mingo refuses to touch _id; on the insert side of an upsert setting it is legitimate
    for (const op of ['$set', '$setOnInsert'] as const) {
      const fields = op === '$set' ? ops.$set : $setOnInsert;
      if (!isPlainObject(fields) || !('_id' in fields)) continue;
      const { _id, ...rest } = fields;
      doc._id = cloneDoc(_id);
      if (op === '$set') ops = { ...ops, $set: rest };
      else $setOnInsert = rest;
      changed = true;
    }
  }
  checkOperandTypes(doc, ops);
  try {
    if (Object.keys(ops).length > 0) {
      const cond = filter && usesPositional(ops) ? filter : undefined;
      changed =
        applyFieldUpdate(doc, ops) ??
        mingoUpdate(doc, ops as Modifier<Doc>, arrayFilters, cond, { queryOptions: MINGO_OPTIONS }).length >
          0;
    }
    if (insert && isPlainObject($setOnInsert) && Object.keys($setOnInsert).length > 0) {
      const seeded = { $set: $setOnInsert };
      changed =
        (applyFieldUpdate(doc, seeded) ??
          mingoUpdate(doc, seeded as Modifier<Doc>, arrayFilters).length > 0) ||
        changed;
    }
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError('BadValue', err instanceof Error ? err.message : String(err));
  }
  return changed;
}

export interface UpdateOutcome {
  doc: Doc;
  changed: boolean;
}

/** Applies an update (operators, replacement or pipeline) to a copy of `old`. */
export function applyUpdate(
  old: Doc,
  u: unknown,
  kind: UpdateKind,
  arrayFilters: Doc[] | undefined,
  filter: Doc | undefined,
): UpdateOutcome {
  let doc: Doc;
  let changed: boolean;
  if (kind === 'replacement') {
    const repl = u as Doc;
    if ('_id' in repl && keyOf(repl._id) !== keyOf(old._id)) throw immutableId();
    doc = { _id: old._id };
    for (const [k, v] of Object.entries(repl)) if (k !== '_id') doc[k] = cloneDoc(v);
    changed = keyOf(doc) !== keyOf(old);
  } else if (kind === 'pipeline') {
    doc = idFirst(runPipeline([cloneDoc(old)], u as Doc[])[0] ?? {});
    if (keyOf(doc._id) !== keyOf(old._id)) throw immutableId();
    changed = keyOf(doc) !== keyOf(old);
  } else {
    doc = cloneDoc(old);
    changed = applyOperators(doc, withoutIdNoops(old, u as Doc), arrayFilters, filter, false);
    if (changed && keyOf(doc._id) !== keyOf(old._id)) throw immutableId();
    if (changed) doc = idFirst(doc);
  }
  return { doc, changed };
}

/** Fields an upsert takes from the query: top-level (and $and) equality conditions. */
function seedFromFilter(filter: Doc | undefined, into: Doc): void {
  if (!filter) return;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) seedFromFilter(sub, into);
      continue;
    }
    if (k.startsWith('$')) continue;
    if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
      if ('$eq' in v) setPath(into, k, cloneDoc(v.$eq));
      continue;
    }
    if (v instanceof RegExp) continue;
    setPath(into, k, cloneDoc(v));
  }
}

/** The document an upsert inserts when nothing matched. */
export function buildUpsert(
  filter: Doc | undefined,
  u: unknown,
  kind: UpdateKind,
  arrayFilters: Doc[] | undefined,
): Doc {
  const seed: Doc = {};
  seedFromFilter(filter, seed);
  let doc: Doc;
  if (kind === 'replacement') {
    doc = cloneDoc(u as Doc);
    if (!('_id' in doc) && '_id' in seed) doc = { _id: seed._id, ...doc };
  } else if (kind === 'pipeline') {
    doc = runPipeline([seed], u as Doc[])[0] ?? {};
  } else {
    doc = seed;
    applyOperators(doc, u as Doc, arrayFilters, undefined, true);
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  if (Array.isArray(doc._id)) throw new CommandError('InvalidIdField', 'The _id field cannot be an array');
  return idFirst(doc);
}
