import { CommandError } from '../errors.ts';
import { normaliseSpec } from '../indexes/hash-index.ts';
import { type Doc, keyOf } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

const OPTION_KEYS = [
  'unique',
  'sparse',
  'partialFilterExpression',
  'collation',
  'expireAfterSeconds',
] as const;

function createIndexes(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const raw = arg.array(ctx.cmd, 'indexes', true)!;
  if (raw.length === 0) throw new CommandError('BadValue', 'Must specify at least one index to create');
  const specs = raw.map(normaliseSpec);
  const { engine } = ctx.state;
  const existed = engine.collection(ctx.db, name) !== undefined;
  const coll = engine.ensureCollection(ctx.db, name);
  const before = coll.indexes.length;
  for (const spec of specs) {
    const sameName = coll.index(spec.name);
    const sameKey = coll.indexes.find((i) => keyOf(i.spec.key) === keyOf(spec.key));
    const sameOptions = (a: Doc, b: Doc): boolean => OPTION_KEYS.every((k) => keyOf(a[k]) === keyOf(b[k]));
    if (sameName) {
      if (keyOf(sameName.spec.key) !== keyOf(spec.key)) {
        throw new CommandError(
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`,
        );
      }
      if (!sameOptions(sameName.spec, spec)) {
        throw new CommandError(
          'IndexOptionsConflict',
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`,
        );
      }
      continue;
    }
    if (sameKey && sameOptions(sameKey.spec, spec)) {
      throw new CommandError(
        'IndexOptionsConflict',
        `Index already exists with a different name: ${sameKey.spec.name}`,
      );
    }
    engine.createIndex(coll, spec);
  }
  const reply: Doc = {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexes.length,
    createdCollectionAutomatically: !existed,
  };
  if (before === coll.indexes.length) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
}

export const createIndexesCommand: CommandDef = { names: ['createIndexes'], handler: createIndexes };
