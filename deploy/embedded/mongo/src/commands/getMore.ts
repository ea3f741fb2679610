import { CommandError } from '../errors.ts';
import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

function getMore(ctx: CommandContext): Doc {
  const id = ctx.cmd.getMore;
  if (typeof id !== 'number') {
    throw new CommandError('TypeMismatch', "Field 'getMore' must be of type long");
  }
  const collection = ctx.cmd.collection;
  if (typeof collection !== 'string') {
    throw new CommandError('TypeMismatch', "Field 'collection' must be of type string");
  }
  const b = ctx.state.cursors.getMore(id, `${ctx.db}.${collection}`, arg.number(ctx.cmd, 'batchSize'));
  return { cursor: { nextBatch: b.batch, id: b.id, ns: b.ns }, ok: 1 };
}

export const getMoreCommand: CommandDef = { names: ['getMore'], handler: getMore, inTransaction: true };
