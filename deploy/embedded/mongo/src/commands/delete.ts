import { CommandError } from '../errors.ts';
import { type Doc, isPlainObject } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';
import { runWriteBatch, writeReply } from './writes.ts';

function del(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const deletes = arg.array(ctx.cmd, 'deletes', true)!;
  const ordered = arg.bool(ctx.cmd, 'ordered', true);
  const coll = ctx.state.engine.collection(ctx.db, name);
  let n = 0;
  const writeErrors = runWriteBatch(deletes, ordered, (stmt) => {
    if (!isPlainObject(stmt)) throw new CommandError('TypeMismatch', 'delete statement must be an object');
    const q = arg.doc(stmt, 'q') ?? {};
    const limit = arg.number(stmt, 'limit') ?? 0;
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
