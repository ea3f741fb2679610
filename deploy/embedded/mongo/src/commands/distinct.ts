import { CommandError } from '../errors.ts';
import { type Doc, keyOf, pathValues } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

function distinct(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const key = ctx.cmd.key;
  if (typeof key !== 'string')
    throw new CommandError(
      'TypeMismatch',
      "BSON field 'distinct.key' is the wrong type, expected type 'string'",
    );
  const query = arg.doc(ctx.cmd, 'query');
  const coll = ctx.state.engine.collection(ctx.db, name);
  const parts = key.split('.');
  const seen = new Map<string, unknown>();
  for (const m of ctx.view.match(coll, query, undefined, ctx.cmd.collation)) {
    for (const v of pathValues(m.doc, parts)) {
      if (v === undefined) continue;
      const k = keyOf(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  return { values: [...seen.values()], ok: 1 };
}

export const distinctCommand: CommandDef = { names: ['distinct'], handler: distinct, inTransaction: true };
