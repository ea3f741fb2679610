/** MongoDB's DuplicateKey error (E11000): a unique index refused the write. */
const DUPLICATE_KEY = 11000;

interface DuplicateKeyError {
  code?: unknown;
  keyPattern?: Record<string, unknown>;
  errorResponse?: { keyPattern?: Record<string, unknown> };
}

/**
 * True for the driver's error when a unique index refused an insert or update; with `field`,
 * only when that index's key pattern includes the field (`_id`: the document already exists).
 */
export const isDuplicateKey = (err: unknown, field?: string): boolean => {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as DuplicateKeyError;
  if (e.code !== DUPLICATE_KEY) return false;
  return field === undefined || field in (e.keyPattern ?? e.errorResponse?.keyPattern ?? {});
};
