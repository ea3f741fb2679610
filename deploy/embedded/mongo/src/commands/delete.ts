import { CommandError } from '../errors.ts';
import { type Doc, isPlainObject } from '../storage/values.ts';
import {
  arrayArg,
  boolArg,
  type CommandContext,
  type CommandDef,
  collectionArg,
  docArg,
  numberArg,
  runWriteBatch,
  writeReply,
} from './context.ts';

function del(ctx: CommandContext): Doc {
  const name = collectionArg(ctx);
  const deletes = arrayArg(ctx.cmd, 'deletes', true)!;
  const ordered = boolArg(ctx.cmd, 'ordered', true);
  const coll = ctx.state.engine.collection(ctx.db, name);
  let n = 0;
  const writeErrors = runWriteBatch(deletes, ordered, (stmt) => {
    if (!isPlainObject(stmt)) throw new CommandError('TypeMismatch', 'delete statement must be an object');
    const q = docArg(stmt, 'q') ?? {};
    const limit = numberArg(stmt, 'limit') ?? 0;
    if (limit !== 0 && limit !== 1) {
      throw new CommandError(
        'FailedToParse',
        `The limit field in delete objects must be 0 or 1. Got ${limit}`,
      );
    }
    if (!coll) return;
    for (const m of ctx.view.match(coll, q, limit === 1 ? 1 : undefined, stmt.collation)) {
      ctx.view.remove(coll, m.idKey);
      n++;
    }
  });
  return writeReply({ n }, writeErrors);
}

export const deleteCommand: CommandDef = { names: ['delete'], handler: del, inTransaction: true };
