import { CommandError } from '../errors.ts';
import { sortDocs } from '../query/mingo.ts';
import { applyUpdate, buildUpsert, updateKind } from '../query/update.ts';
import { type Doc, isPlainObject } from '../storage/values.ts';
import * as arg from './args.ts';
import { type CommandContext, type CommandDef, collectionFor } from './context.ts';
import { runWriteBatch, writeReply } from './writes.ts';

interface StatementResult {
  n: number;
  nModified: number;
  upserted?: unknown;
}

/** One update statement `{ q, u, upsert, multi, arrayFilters, sort }`. */
function runStatement(ctx: CommandContext, collName: string, stmt: unknown): StatementResult {
  if (!isPlainObject(stmt)) throw new CommandError('TypeMismatch', 'update statement must be an object');
  const q = arg.doc(stmt, 'q') ?? {};
  const u = stmt.u;
  const kind = updateKind(u);
  const multi = arg.bool(stmt, 'multi', false);
  const upsert = arg.bool(stmt, 'upsert', false);
  const arrayFilters = arg.array(stmt, 'arrayFilters') as Doc[] | undefined;
  const sort = arg.doc(stmt, 'sort');
  if (multi && kind === 'replacement') {
    throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  const existing = ctx.state.engine.collection(ctx.db, collName);
  const collation = stmt.collation;
  let matches = ctx.view.match(existing, q, multi || sort ? undefined : 1, collation);
  if (sort && !multi) matches = sortDocs(matches, sort, (m) => m.doc, collation).slice(0, 1);
  if (matches.length === 0) {
    if (!upsert) return { n: 0, nModified: 0 };
    const doc = buildUpsert(q, u, kind, arrayFilters);
    const coll = collectionFor(ctx, collName, true)!;
    ctx.view.insert(coll, doc);
    return { n: 1, nModified: 0, upserted: doc._id };
  }
  const coll = existing!;
  let nModified = 0;
  for (const m of matches) {
    const { doc, changed } = applyUpdate(m.doc, u, kind, arrayFilters, q);
    if (!changed) continue;
    ctx.view.replace(coll, m.idKey, doc);
    nModified++;
  }
  return { n: matches.length, nModified };
}

function update(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const updates = arg.array(ctx.cmd, 'updates', true)!;
  const ordered = arg.bool(ctx.cmd, 'ordered', true);
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  const writeErrors = runWriteBatch(updates, ordered, (statement, i) => {
    const r = runStatement(ctx, name, statement);
    n += r.n;
    nModified += r.nModified;
    if (r.upserted !== undefined) upserted.push({ index: i, _id: r.upserted });
  });
  return writeReply({ n, nModified, ...(upserted.length > 0 ? { upserted } : {}) }, writeErrors);
}

export const updateCommand: CommandDef = { names: ['update'], handler: update, inTransaction: true };
