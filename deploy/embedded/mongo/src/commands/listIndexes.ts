import { CommandError } from '../errors.ts';
import type { Doc } from '../storage/values.ts';
import { type CommandContext, type CommandDef, collectionArg, docArg, numberArg } from './context.ts';

function listIndexes(ctx: CommandContext): Doc {
  const name = collectionArg(ctx);
  const coll = ctx.state.engine.collection(ctx.db, name);
  const ns = `${ctx.db}.${name}`;
  if (!coll) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ns}`);
  const specs = coll.indexes.map((i) => ({ ...i.spec }) as Doc);
  const batchSize = numberArg(docArg(ctx.cmd, 'cursor') ?? {}, 'batchSize');
  const b = ctx.state.cursors.open(ns, specs, batchSize, false);
  return { cursor: { id: b.id, ns, firstBatch: b.batch }, ok: 1 };
}

export const listIndexesCommand: CommandDef = {
  names: ['listIndexes'],
  handler: listIndexes,
  inTransaction: true,
};
