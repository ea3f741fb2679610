import { ObjectId } from 'bson';
import { CommandError } from '../errors.ts';
import { type Doc, idFirst, isPlainObject } from '../storage/values.ts';
import * as arg from './args.ts';
import { type CommandContext, type CommandDef, collectionFor } from './context.ts';
import { runWriteBatch, writeReply } from './writes.ts';

/** Validates a document for insertion and gives it an `_id` (first field) if it has none. */
export function prepareInsert(raw: unknown): Doc {
  if (!isPlainObject(raw)) throw new CommandError('TypeMismatch', 'documents to insert must be objects');
  let doc = raw;
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  else doc = idFirst(doc);
  if (Array.isArray(doc._id)) throw new CommandError('BadValue', "can't use an array for _id");
  if (doc._id instanceof RegExp) throw new CommandError('BadValue', "can't use a regex for _id");
  return doc;
}

function insert(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const docs = arg.array(ctx.cmd, 'documents', true)!;
  const ordered = arg.bool(ctx.cmd, 'ordered', true);
  const coll = collectionFor(ctx, name, true)!;
  let n = 0;
  const writeErrors = runWriteBatch(docs, ordered, (doc) => {
    ctx.view.insert(coll, prepareInsert(doc));
    n++;
  });
  return writeReply({ n }, writeErrors);
}

export const insertCommand: CommandDef = { names: ['insert'], handler: insert, inTransaction: true };
