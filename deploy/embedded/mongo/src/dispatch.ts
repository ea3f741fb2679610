import type { CommandContext, StoreState } from './commands/context.ts';
import { COMMANDS } from './commands/registry.ts';
import { CommandError, errorReply } from './errors.ts';
import { TxnView } from './sessions/transaction.ts';
import type { Doc } from './storage/values.ts';

/** Runs one command document and returns the reply document (never throws). */
export function dispatch(state: StoreState, cmd: Doc, connectionId: number, defaultDb?: string): Doc {
  const name = Object.keys(cmd)[0];
  let txn: CommandContext['txn'];
  try {
    if (name === undefined) throw new CommandError('FailedToParse', 'Command document is empty');
    const db = cmd.$db ?? defaultDb;
    if (typeof db !== 'string' || db.length === 0) {
      throw new CommandError('Location40571', 'OP_MSG requests require a $db argument');
    }
    const def = COMMANDS.get(name);
    if (!def) throw new CommandError('CommandNotFound', `no such command: '${name}'`);
    const resolved = state.sessions.resolve(cmd, def.names[0]!);
    txn = resolved.txn;
    if (txn && !def.inTransaction) {
      throw new CommandError(
        'OperationNotSupportedInTransaction',
        `Cannot run '${name}' in a multi-document transaction.`,
      );
    }
    const reply = def.handler({
      state,
      cmd,
      db,
      name,
      view: txn ? new TxnView(state.engine, txn) : state.committed,
      txn,
      session: resolved.session,
      connectionId,
    });
    if (txn?.state === 'active' && Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0) {
      state.sessions.abort(txn);
    }
    return reply;
  } catch (err) {
    // Any failed statement aborts the surrounding transaction, as on a real server.
    if (txn?.state === 'active') state.sessions.abort(txn);
    if (!(err instanceof CommandError)) {
      state.info.log(
        `command ${String(name)} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    return errorReply(err);
  }
}
