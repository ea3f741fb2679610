/**
 * `db.query.text` of a MongoDB command span: the command's shape — which fields it filters,
 * sorts and projects on — with every value replaced by `?`, without the changes an update writes,
 * bounded in depth and breadth. (For an insert, instrumentation-mongodb hands over the first
 * document instead of the command: its keys show, bounded the same way.) The instrumentation's
 * default serializes everything through a JSON replacer, however large — a group's whole member
 * list, a ledger entry of kilobytes — on every command, even when no span is recorded.
 */
export const queryShape = (command: Record<string, unknown>): string => JSON.stringify(shapeOf(command, 0));

/**
 * Documents a command writes, or carries for the driver (session, cluster time), not what it
 * asks. (`update` is also the update command's name, a string, which stays.)
 */
const NOT_SHAPE = new Set(['documents', 'u', 'update', 'lsid', 'txnNumber', '$clusterTime']);
/** Deep enough for `{ $and: [{ field: { $in: … } }] }`; a hostile filter's depth is not the span's. */
const MAX_DEPTH = 6;
/** `$or` of hundreds of clauses: the first few show its shape. */
const MAX_ITEMS = 10;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

const shapeOf = (value: unknown, depth: number): unknown => {
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return '?';
  if (Array.isArray(value)) {
    // A list of values (`$in`) is one value; a list of clauses or stages keeps theirs.
    if (!value.some(isPlainObject)) return '?';
    return value.slice(0, MAX_ITEMS).map((item) => shapeOf(item, depth + 1));
  }
  // ObjectId, Long, Binary, Date…: a value, however it is built.
  if (!isPlainObject(value)) return '?';
  const shape: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!(NOT_SHAPE.has(key) && typeof field === 'object')) shape[key] = shapeOf(field, depth + 1);
  }
  return shape;
};
