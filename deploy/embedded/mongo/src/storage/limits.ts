import { calculateObjectSize } from 'bson';
import { CommandError } from '../errors.ts';
import { type Doc, isPlainObject } from './values.ts';

/** The limits `hello` advertises, enforced as mongod does. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
/** Larger announced message lengths close the connection (mongod's "message msgLen is invalid"). */
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
/** Statements per insert/update/delete command. */
export const MAX_WRITE_BATCH_SIZE = 100_000;

/**
 * MongoDB's documented nesting limit ("Nested Depth for BSON Documents": 100 levels, every object
 * and array counts). mongod itself lets user documents reach 180 levels (maxBSONDepth 200 minus
 * its own allowance); refusing at the documented 100 keeps anything stored here storable there.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * Refuses a document that production would refuse, with mongod's errors: larger than 16 MiB as
 * BSON → 10334 BSONObjectTooLarge, nested deeper than the limit → 15 Overflow. `how` says whether
 * it is a new document (insert, upsert) or the result of an update, as mongod's messages do.
 */
export function checkStorable(doc: Doc, how: 'insert' | 'update'): void {
  const depth = nestingDepth(doc, 0);
  if (depth > MAX_NESTING_DEPTH) {
    throw new CommandError('Overflow', `Document exceeds maximum nesting depth of ${MAX_NESTING_DEPTH}`);
  }
  const size = calculateObjectSize(doc);
  if (size <= MAX_BSON_OBJECT_SIZE) return;
  throw new CommandError(
    'BSONObjectTooLarge',
    how === 'insert'
      ? `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`
      : `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`,
  );
}

/**
 * Levels of fields, counted as mongod does: the top-level fields are level 1, the fields of a
 * sub-document or the elements of an array one more (an empty one adds nothing). Stops descending
 * once past the limit, so a hostile document cannot exhaust the stack here.
 */
function nestingDepth(value: Doc | unknown[], level: number): number {
  const children = Array.isArray(value) ? value : Object.values(value);
  if (children.length === 0) return level;
  let deepest = level + 1;
  if (deepest > MAX_NESTING_DEPTH) return deepest;
  for (const child of children) {
    if (Array.isArray(child) || isPlainObject(child)) {
      deepest = Math.max(deepest, nestingDepth(child, level + 1));
      if (deepest > MAX_NESTING_DEPTH) break;
    }
  }
  return deepest;
}

/** A write command with more statements than `maxWriteBatchSize`: 16 InvalidLength, as mongod answers. */
export function checkWriteBatchSize(statements: number): void {
  if (statements <= MAX_WRITE_BATCH_SIZE) return;
  throw new CommandError(
    'InvalidLength',
    `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}. Got ${statements} operations.`,
  );
}
