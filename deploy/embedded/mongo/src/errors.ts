/** MongoDB server error codes used by this store (subset of src/mongo/base/error_codes.yml). */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  Overflow: 15,
  InvalidLength: 16,
  IllegalOperation: 20,
  Unauthorized: 13,
  InvalidBSON: 22,
  NamespaceNotFound: 26,
  ConflictingUpdateOperators: 40,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  ConflictingOperationInProgress: 117,
  TransactionCommitted: 256,
  InvalidIdField: 53,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  OperationNotSupportedInTransaction: 263,
  Location40414: 40414,
  Location40571: 40571,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

/** An error that becomes an `ok: 0` reply (or a writeErrors entry) with the server's code and codeName. */
export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Record<string, unknown>;
  readonly labels: string[];

  constructor(
    codeName: ErrorCodeName,
    message: string,
    extra: Record<string, unknown> = {},
    labels: string[] = [],
  ) {
    super(message);
    this.codeName = codeName;
    this.code = ErrorCodes[codeName];
    this.extra = extra;
    this.labels = labels;
  }
}

export function writeConflict(): CommandError {
  return new CommandError(
    'WriteConflict',
    'Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
    {},
    ['TransientTransactionError'],
  );
}

/** Turns any thrown value into the `ok: 0` reply document a real server would send. */
export function errorReply(err: unknown): Record<string, unknown> {
  if (err instanceof CommandError) {
    const reply: Record<string, unknown> = {
      ok: 0,
      errmsg: err.message,
      code: err.code,
      codeName: err.codeName,
      ...err.extra,
    };
    if (err.labels.length > 0) reply.errorLabels = err.labels;
    return reply;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { ok: 0, errmsg: message, code: ErrorCodes.BadValue, codeName: 'BadValue' };
}
