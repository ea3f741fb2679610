import type { CursorManager } from '../cursors.ts';
import { CommandError } from '../errors.ts';
import type { Session, SessionManager } from '../sessions/sessions.ts';
import type { Transaction } from '../sessions/transaction.ts';
import type { Collection } from '../storage/catalog.ts';
import type { Engine } from '../storage/engine.ts';
import { type Doc, isPlainObject } from '../storage/values.ts';
import type { CommittedView, View } from '../storage/view.ts';

export interface ServerInfo {
  readonly setName: string;
  /** host:port this member advertises (hosts/primary/me in hello) */
  readonly me: string;
  readonly startedAt: Date;
  readonly log: (line: string) => void;
  readonly dataDir: string | undefined;
  connections(): number;
}

export interface StoreState {
  readonly engine: Engine;
  readonly cursors: CursorManager;
  readonly sessions: SessionManager;
  readonly committed: CommittedView;
  readonly info: ServerInfo;
}

export interface CommandContext {
  readonly state: StoreState;
  readonly cmd: Doc;
  readonly db: string;
  /** the command name as registered (first key of the command document) */
  readonly name: string;
  readonly view: View;
  readonly txn: Transaction | undefined;
  readonly session: Session | undefined;
  readonly connectionId: number;
}

export type CommandHandler = (ctx: CommandContext) => Doc;

export interface CommandDef {
  /** command names; the first is canonical, the rest are aliases (isMaster/ismaster, findandmodify) */
  readonly names: readonly string[];
  readonly handler: CommandHandler;
  /** allowed inside a multi-document transaction */
  readonly inTransaction?: boolean;
}

// ------------------------------------------------------------------ argument helpers

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? 'double' : typeof v;

/** The collection named by the command's first field. */
export function collectionArg(ctx: CommandContext): string {
  const v = ctx.cmd[ctx.name];
  if (typeof v !== 'string') {
    throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeName(v)}`);
  }
  if (v.length === 0) throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ctx.db}.'`);
  return v;
}

export function docArg(cmd: Doc, field: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeName(v)}', expected type 'object'`,
    );
  }
  return v;
}

export function arrayArg(cmd: Doc, field: string, required = false): unknown[] | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) {
    if (required)
      throw new CommandError('NoSuchKey', `BSON field '${field}' is missing but a required field`);
    return undefined;
  }
  if (!Array.isArray(v)) {
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeName(v)}', expected type 'array'`,
    );
  }
  return v;
}

export function numberArg(cmd: Doc, field: string): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeName(v)}', expected types '[long, int, decimal, double]'`,
    );
  }
  return v;
}

export function boolArg(cmd: Doc, field: string, dflt: boolean): boolean {
  const v = cmd[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  throw new CommandError(
    'TypeMismatch',
    `BSON field '${field}' is the wrong type '${typeName(v)}', expected type 'bool'`,
  );
}

/** A writeErrors entry as the server reports it. */
export function writeError(index: number, err: unknown): Doc {
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

export function collectionFor(ctx: CommandContext, name: string, create: boolean): Collection | undefined {
  const { engine } = ctx.state;
  return create ? engine.ensureCollection(ctx.db, name) : engine.collection(ctx.db, name);
}
