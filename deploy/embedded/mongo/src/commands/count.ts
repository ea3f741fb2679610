import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

function count(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const query = arg.doc(ctx.cmd, 'query');
  const skip = Math.max(0, arg.number(ctx.cmd, 'skip') ?? 0);
  const limit = Math.abs(arg.number(ctx.cmd, 'limit') ?? 0);
  const coll = ctx.state.engine.collection(ctx.db, name);
  let n: number;
  if (!query || Object.keys(query).length === 0) {
    n = coll ? ctx.view.match(coll, undefined).length : 0; // no filter: collation irrelevant
  } else {
    n = ctx.view.match(coll, query, limit > 0 ? skip + limit : undefined, ctx.cmd.collation).length;
  }
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
}

export const countCommand: CommandDef = { names: ['count'], handler: count, inTransaction: true };
