import { CommandError } from '../errors.ts';
import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

/** Session and transaction control: endSessions, commitTransaction, abortTransaction. */

function endSessions(ctx: CommandContext): Doc {
  const lsids = arg.array(ctx.cmd, 'endSessions', true)!;
  ctx.state.sessions.end(lsids);
  return { ok: 1 };
}

function requireTxn(ctx: CommandContext, what: string): NonNullable<CommandContext['txn']> {
  if (ctx.db !== 'admin') {
    throw new CommandError('Unauthorized', `${what} may only be run against the admin database.`);
  }
  if (!ctx.txn)
    throw new CommandError(
      'NoSuchTransaction',
      'Given transaction number does not match any in-progress transactions.',
    );
  return ctx.txn;
}

function commitTransaction(ctx: CommandContext): Doc {
  ctx.state.sessions.commit(requireTxn(ctx, 'commitTransaction'));
  return { ok: 1 };
}

function abortTransaction(ctx: CommandContext): Doc {
  const txn = requireTxn(ctx, 'abortTransaction');
  if (txn.state === 'committed') {
    throw new CommandError(
      'TransactionCommitted',
      `Transaction with { txnNumber: ${txn.txnNumber} } has been committed.`,
    );
  }
  ctx.state.sessions.abort(txn);
  return { ok: 1 };
}

export const endSessionsCommand: CommandDef = { names: ['endSessions'], handler: endSessions };
export const commitTransactionCommand: CommandDef = {
  names: ['commitTransaction'],
  handler: commitTransaction,
  inTransaction: true,
};
export const abortTransactionCommand: CommandDef = {
  names: ['abortTransaction'],
  handler: abortTransaction,
  inTransaction: true,
};
