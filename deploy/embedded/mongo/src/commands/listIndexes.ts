import { CommandError } from '../errors.ts';
import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

function listIndexes(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const coll = ctx.state.engine.collection(ctx.db, name);
  const ns = `${ctx.db}.${name}`;
  if (!coll) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ns}`);
  const specs = coll.indexes.map((i) => ({ ...i.spec }) as Doc);
  const batchSize = arg.number(arg.doc(ctx.cmd, 'cursor') ?? {}, 'batchSize');
  const b = ctx.state.cursors.open(ns, specs, batchSize, false);
  return { cursor: { id: b.id, ns, firstBatch: b.batch }, ok: 1 };
}

export const listIndexesCommand: CommandDef = {
  names: ['listIndexes'],
  handler: listIndexes,
  inTransaction: true,
};
