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

/**
 * Awaits a write whose documents may already exist (a redelivery recording them again): an
 * unordered bulk write whose only failures are duplicate keys has done all it had to do.
 */
export const ignoringDuplicates = async (write: Promise<unknown>): Promise<void> => {
  try {
    await write;
  } catch (err) {
    const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
    const failures =
      writeErrors === undefined ? [err] : Array.isArray(writeErrors) ? writeErrors : [writeErrors];
    if (failures.length === 0 || !failures.every((failure) => isDuplicateKey(failure))) throw err;
  }
};

/** MongoDB's BSONObjectTooLarge: the server refused a document over its 16 MiB limit. */
const BSON_OBJECT_TOO_LARGE = 10334;

/**
 * True when a document could not be stored for its size: refused by the server, or by the
 * driver's BSON serializer, which throws a plain `RangeError` once a command outgrows its buffer.
 */
export const isDocumentTooLarge = (err: unknown): boolean => {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (e.code === BSON_OBJECT_TOO_LARGE) return true;
  if (err instanceof RangeError) return e.code === 'ERR_OUT_OF_RANGE';
  return e.name === 'BSONError' && /size/i.test(String(e.message));
};

/** Labels the driver puts on errors that a retry may cure. */
const TRANSIENT_LABELS = [
  'RetryableWriteError',
  'TransientTransactionError',
  'ResetPool',
  'InterruptInUseConnections',
  'SystemOverloadedError',
];

/** Server error codes of a store that is electing, stepping down, shutting down or busy. */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  24, // LockTimeout
  46, // LockBusy
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  133, // FailedToSatisfyReadPreference
  189, // PrimarySteppedDown
  251, // NoSuchTransaction: the store lost the transaction (restarted); the handler runs it again
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** The driver's errors of a store it cannot reach (or reach in time). */
const UNREACHABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoOperationTimeoutError',
  'MongoPoolClearedError',
  // the monitor timed out and interrupted the operations in flight
  'PoolClearedOnNetworkError',
  'MongoWaitQueueTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoClientClosedError',
  'MongoWriteConcernError',
]);

/**
 * True for a MongoDB failure that may go away (the store unreachable, too slow, electing a
 * primary): worth retrying, never a reason to give up on a message. Everything else the driver
 * throws (validation, a document too large, a duplicate key nobody expected) will not.
 */
export const isTransientStoreError = (err: unknown): boolean => {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as {
    name?: unknown;
    code?: unknown;
    hasErrorLabel?: (label: string) => boolean;
    errorResponse?: unknown;
  };
  if (typeof e.name === 'string' && UNREACHABLE.has(e.name)) return true;
  // A bulk write cut off by a lost connection is a MongoBulkWriteError around the network error.
  if (e.errorResponse instanceof Error && e.errorResponse !== err && isTransientStoreError(e.errorResponse))
    return true;
  if (typeof e.hasErrorLabel === 'function' && TRANSIENT_LABELS.some((label) => e.hasErrorLabel!(label)))
    return true;
  return typeof e.code === 'number' && TRANSIENT_CODES.has(e.code);
};
