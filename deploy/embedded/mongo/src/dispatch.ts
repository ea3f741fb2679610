import type { CommandContext, CommandDef, StoreState } from './commands/context.ts';
import { COMMANDS } from './commands/registry.ts';
import { CommandError, errorReply } from './errors.ts';
import { TxnView } from './sessions/transaction.ts';
import type { Doc } from './storage/values.ts';

/** Commands the driver retries once after a network error, tagged with the session's txnNumber. */
const RETRYABLE_WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);

/** Runs one command document and returns the reply document (never throws), counting it. */
export function dispatch(state: StoreState, cmd: Doc, connectionId: number, defaultDb?: string): Doc {
  const name = Object.keys(cmd)[0];
  const def = name === undefined ? undefined : COMMANDS.get(name);
  const reply = run(state, cmd, name, def, connectionId, defaultDb);
  // Unknown names are counted apart (as MongoDB's `<UNKNOWN>`): a client cannot grow the map.
  const counted = def ? def.names[0]! : '<UNKNOWN>';
  const count = state.commandCounts.get(counted) ?? { total: 0, failed: 0 };
  count.total++;
  if (reply.ok !== 1) count.failed++;
  state.commandCounts.set(counted, count);
  return reply;
}

function run(
  state: StoreState,
  cmd: Doc,
  name: string | undefined,
  def: CommandDef | undefined,
  connectionId: number,
  defaultDb?: string,
): Doc {
  let txn: CommandContext['txn'];
  try {
    if (name === undefined) throw new CommandError('FailedToParse', 'Command document is empty');
    const db = cmd.$db ?? defaultDb;
    if (typeof db !== 'string' || db.length === 0) {
      throw new CommandError('Location40571', 'OP_MSG requests require a $db argument');
    }
    if (!def) throw new CommandError('CommandNotFound', `no such command: '${name}'`);
    const resolved = state.sessions.resolve(cmd, def.names[0]!);
    txn = resolved.txn;
    if (txn && !def.inTransaction) {
      throw new CommandError(
        'OperationNotSupportedInTransaction',
        `Cannot run '${name}' in a multi-document transaction.`,
      );
    }
    const session = resolved.session;
    const retryable =
      session !== undefined &&
      !txn &&
      typeof cmd.txnNumber === 'number' &&
      RETRYABLE_WRITES.has(def.names[0]!);
    const previous = retryable ? session.lastRetryable : undefined;
    if (previous && previous.txnNumber === cmd.txnNumber) {
      // the driver retried a write whose reply it never got: answer without executing it twice
      return previous.reply;
    }
    const reply = def.handler({
      state,
      cmd,
      db,
      name,
      view: txn ? new TxnView(state.engine, txn) : state.committed,
      txn,
      session,
      connectionId,
    });
    if (retryable && reply.ok === 1) session.lastRetryable = { txnNumber: cmd.txnNumber as number, reply };
    if (txn?.state === 'active' && Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0) {
      state.sessions.abort(txn);
    }
    return reply;
  } catch (err) {
    // Any failed statement aborts the surrounding transaction, as on a real server.
    if (txn?.state === 'active') state.sessions.abort(txn);
    if (err instanceof CommandError) {
      state.info.log(
        `connection ${connectionId}: ${String(name)} failed: ${err.code} ${err.codeName}: ${err.message}`,
      );
    } else {
      state.info.log(
        `connection ${connectionId}: ${String(name)} failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    return errorReply(err);
  }
}
