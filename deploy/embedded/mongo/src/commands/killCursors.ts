import { Long } from 'bson';
import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

function killCursors(ctx: CommandContext): Doc {
  arg.collection(ctx);
  const ids = arg.array(ctx.cmd, 'cursors', true)!;
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of ids) {
    const id = typeof raw === 'number' ? raw : Number(raw);
    (ctx.state.cursors.kill(id) ? killed : notFound).push(Long.fromNumber(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

export const killCursorsCommand: CommandDef = {
  names: ['killCursors'],
  handler: killCursors,
  inTransaction: true,
};
