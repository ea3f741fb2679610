import { CommandError } from '../errors.ts';
import { project, sortDocs } from '../query/mingo.ts';
import { applyUpdate, buildUpsert, updateKind } from '../query/update.ts';
import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import { type CommandContext, type CommandDef, collectionFor } from './context.ts';

/**
 * findAndModify: atomically find one document (by `query` and `sort`) and remove or update it,
 * returning the old (default) or new (`new: true`) version projected by `fields`. Errors such as
 * DuplicateKey are top-level command errors here, not writeErrors.
 */
function findAndModify(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const { cmd } = ctx;
  const query = arg.doc(cmd, 'query') ?? {};
  const sort = arg.doc(cmd, 'sort');
  const fields = arg.doc(cmd, 'fields');
  const remove = arg.bool(cmd, 'remove', false);
  const returnNew = arg.bool(cmd, 'new', false);
  const upsert = arg.bool(cmd, 'upsert', false);
  const arrayFilters = arg.array(cmd, 'arrayFilters') as Doc[] | undefined;
  const u = cmd.update;
  if (remove && u !== undefined) {
    throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  }
  if (!remove && u === undefined) {
    throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  }
  if (remove && (upsert || returnNew)) {
    throw new CommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  }
  const kind = remove ? undefined : updateKind(u);
  const existing = ctx.state.engine.collection(ctx.db, name);
  let matches = ctx.view.match(existing, query, sort ? undefined : 1, cmd.collation);
  if (sort) matches = sortDocs(matches, sort, (m) => m.doc, cmd.collation);
  const target = matches[0];

  if (remove) {
    if (!target || !existing) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    ctx.view.remove(existing, target.idKey);
    return { lastErrorObject: { n: 1 }, value: project(target.doc, fields), ok: 1 };
  }
  if (!target) {
    if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const doc = buildUpsert(query, u, kind!, arrayFilters);
    ctx.view.insert(collectionFor(ctx, name, true)!, doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: returnNew ? project(doc, fields) : null,
      ok: 1,
    };
  }
  const { doc, changed } = applyUpdate(target.doc, u, kind!, arrayFilters, query);
  if (changed) ctx.view.replace(existing!, target.idKey, doc);
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: project(returnNew ? doc : target.doc, fields),
    ok: 1,
  };
}

export const findAndModifyCommand: CommandDef = {
  names: ['findAndModify', 'findandmodify'],
  handler: findAndModify,
  inTransaction: true,
};
