import { CommandError } from '../errors.ts';
import { checkWriteBatchSize } from '../storage/limits.ts';
import type { Doc } from '../storage/values.ts';

/** A writeErrors entry as the server reports it. */
function writeError(index: number, err: unknown): Doc {
  if (err instanceof CommandError) {
    return { index, code: err.code, errmsg: err.message, ...err.extra };
  }
  return { index, code: 1, errmsg: err instanceof Error ? err.message : String(err) };
}

/**
 * Runs the statements of a write command (insert, update, delete) one by one: a failing statement
 * becomes a writeError carrying its index; an ordered batch stops there, an unordered one goes on.
 * A transient transaction error aborts the whole command instead (the driver retries the transaction).
 */
export function runWriteBatch(
  statements: readonly unknown[],
  ordered: boolean,
  apply: (statement: unknown, index: number) => void,
): Doc[] {
  checkWriteBatchSize(statements.length);
  const writeErrors: Doc[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      apply(statements[i], i);
    } catch (err) {
      if (err instanceof CommandError && err.labels.includes('TransientTransactionError')) throw err;
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeErrors;
}

/** The reply of a write command: its counts, the writeErrors if any, ok. */
export function writeReply(counts: Doc, writeErrors: Doc[]): Doc {
  return { ...counts, ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 };
}
