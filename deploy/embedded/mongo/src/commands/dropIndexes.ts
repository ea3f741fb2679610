import { CommandError } from '../errors.ts';
import { type Doc, isPlainObject, keyOf } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

function dropIndexes(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const { engine } = ctx.state;
  const coll = engine.collection(ctx.db, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.length;
  const which = ctx.cmd.index;
  let names: string[];
  if (which === '*') {
    names = coll.indexes.filter((i) => !i.isId).map((i) => i.spec.name);
  } else if (typeof which === 'string') {
    names = [which];
  } else if (Array.isArray(which)) {
    names = which.map(String);
  } else if (isPlainObject(which)) {
    const found = coll.indexes.find((i) => keyOf(i.spec.key) === keyOf(which));
    if (!found)
      throw new CommandError('IndexNotFound', `can't find index with key: ${JSON.stringify(which)}`);
    names = [found.spec.name];
  } else {
    throw new CommandError('TypeMismatch', "BSON field 'dropIndexes.index' is the wrong type");
  }
  for (const n of names) {
    if (n === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
    if (!coll.index(n)) throw new CommandError('IndexNotFound', `index not found with name [${n}]`);
  }
  for (const n of names) engine.dropIndex(coll, n);
  return { nIndexesWas, ok: 1 };
}

export const dropIndexesCommand: CommandDef = {
  names: ['dropIndexes', 'deleteIndexes'],
  handler: dropIndexes,
};
