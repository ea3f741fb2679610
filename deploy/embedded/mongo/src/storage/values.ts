/**
 * Value helpers shared by storage, indexes and commands. Documents live in memory as the JS values
 * `bson.deserialize` produces (numbers promoted, ObjectId/Binary/Decimal128 as bson classes).
 */
export type Doc = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function bsonType(v: object): string | undefined {
  const t = (v as { _bsontype?: unknown })._bsontype;
  return typeof t === 'string' ? t : undefined;
}

function part(s: string): string {
  return `${s.length}:${s}`;
}

/**
 * Canonical string for a value, used as hash-map key for `_id` and index entries. Equal BSON values
 * (by MongoDB equality, numbers compared numerically) give equal keys; field order of embedded
 * documents matters, as in MongoDB.
 */
export function keyOf(v: unknown, fold?: (s: string) => string): string {
  if (v === undefined || v === null) return 'n';
  switch (typeof v) {
    case 'number':
      if (Number.isNaN(v)) return 'N';
      return `d${Object.is(v, -0) ? 0 : v}`;
    case 'string':
      return `s${fold ? fold(v) : v}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return `d${v.toString()}`;
    case 'object':
      break;
    default:
      return `?${String(v)}`;
  }
  if (v instanceof Date) return `t${v.getTime()}`;
  if (v instanceof RegExp) return `r${part(v.source)}${v.flags}`;
  if (Array.isArray(v)) {
    let out = '[';
    for (const e of v) out += part(keyOf(e, fold));
    return `${out}]`;
  }
  const bt = bsonType(v);
  if (bt !== undefined) {
    const o = v as { toHexString?: () => string; toString: (enc?: string) => string; sub_type?: number };
    switch (bt) {
      case 'ObjectId':
        return `o${o.toHexString?.() ?? o.toString()}`;
      case 'Binary':
        return `x${o.sub_type ?? 0}:${o.toString('base64')}`;
      case 'Long':
      case 'Int32':
      case 'Double':
        return `d${Number(o.toString())}`;
      case 'Decimal128':
        return `m${o.toString()}`;
      default:
        return `${bt}:${JSON.stringify(v)}`;
    }
  }
  let out = '{';
  for (const [k, val] of Object.entries(v as Doc)) out += part(k) + part(keyOf(val, fold));
  return `${out}}`;
}

/** Deep copy of plain objects/arrays/dates; bson value classes are immutable and shared. */
export function cloneDoc<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = cloneDoc((v as Doc)[k]);
  return out as T;
}

/** Values at a dotted path, descending into arrays the way index keys do (multikey). */
export function pathValues(v: unknown, parts: readonly string[], i = 0): unknown[] {
  if (i === parts.length) {
    if (Array.isArray(v)) return v.length === 0 ? [undefined] : v;
    return [v];
  }
  const p = parts[i]!;
  if (Array.isArray(v)) {
    if (/^\d+$/.test(p)) {
      const idx = Number(p);
      if (idx < v.length) return pathValues(v[idx], parts, i + 1);
    }
    const out: unknown[] = [];
    for (const e of v) {
      if (isPlainObject(e)) out.push(...pathValues(e[p], parts, i + 1));
    }
    return out.length === 0 ? [undefined] : out;
  }
  if (isPlainObject(v)) return pathValues(v[p], parts, i + 1);
  return [undefined];
}

/** First value at a dotted path without array expansion (undefined when missing). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(p)) cur = cur[Number(p)];
    else if (isPlainObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    const next = cur[p];
    if (isPlainObject(next)) cur = next;
    else {
      const created: Doc = {};
      cur[p] = created;
      cur = created;
    }
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Short JSON-like rendering used in error messages (`dup key: { email: "a@b" }`). */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  const bt = bsonType(v as object);
  if (bt === 'ObjectId') return `ObjectId('${String(v)}')`;
  if (bt !== undefined) return `${bt}(${String(v)})`;
  if (isPlainObject(v)) {
    const body = Object.entries(v)
      .map(([k, val]) => `${k}: ${formatValue(val)}`)
      .join(', ');
    return `{ ${body} }`;
  }
  return String(v);
}

/** Moves `_id` to the front of a document, as the server stores it. */
export function idFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  const out: Doc = { _id: doc._id };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return out;
}
