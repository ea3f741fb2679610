import { CommandError } from '../errors.ts';
import { projectAll, sortDocs } from '../query/mingo.ts';
import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

function find(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const { cmd } = ctx;
  const filter = arg.doc(cmd, 'filter');
  const sort = arg.doc(cmd, 'sort');
  const projection = arg.doc(cmd, 'projection');
  const skip = arg.number(cmd, 'skip') ?? 0;
  let limit = arg.number(cmd, 'limit') ?? 0;
  const batchSize = arg.number(cmd, 'batchSize');
  let singleBatch = arg.bool(cmd, 'singleBatch', false);
  if (skip < 0) throw new CommandError('BadValue', 'skip value must be non-negative');
  if (batchSize !== undefined && batchSize < 0)
    throw new CommandError('BadValue', 'batchSize value must be non-negative');
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const coll = ctx.state.engine.collection(ctx.db, name);
  const hasSort = sort !== undefined && Object.keys(sort).length > 0;
  const collation = cmd.collation;
  let matches = ctx.view.match(coll, filter, !hasSort && limit > 0 ? skip + limit : undefined, collation);
  if (hasSort) matches = sortDocs(matches, sort, (m) => m.doc, collation);
  let docs = matches.slice(skip, limit > 0 ? skip + limit : undefined).map((m) => m.doc);
  docs = projectAll(docs, projection);
  const ns = `${ctx.db}.${name}`;
  const b = ctx.state.cursors.open(ns, docs, batchSize, singleBatch, ctx.session?.key);
  return { cursor: { firstBatch: b.batch, id: b.id, ns }, ok: 1 };
}

export const findCommand: CommandDef = { names: ['find'], handler: find, inTransaction: true };
