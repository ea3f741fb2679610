import { CommandError } from '../errors.ts';
import { type Doc, isPlainObject, keyOf } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

/** collMod and index, plus the generic arguments every command may carry */
const ARGUMENTS = new Set(['collMod', 'index', 'lsid', 'txnNumber', 'writeConcern', 'comment', 'maxTimeMS']);

/**
 * collMod, the one form Roster needs: `{ collMod, index: { name | keyPattern, expireAfterSeconds } }`
 * changes (or sets) a TTL index's expiry, as operators do to change a retention period in place.
 */
function collMod(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  const unsupported = Object.keys(ctx.cmd).find((k) => !k.startsWith('$') && !ARGUMENTS.has(k));
  if (unsupported)
    throw new CommandError('InvalidOptions', `collMod option '${unsupported}' is not supported`);
  const change = arg.doc(ctx.cmd, 'index');
  if (!change) return { ok: 1 };
  const ix =
    typeof change.name === 'string'
      ? coll.index(change.name)
      : isPlainObject(change.keyPattern)
        ? coll.indexes.find((i) => keyOf(i.spec.key) === keyOf(change.keyPattern))
        : undefined;
  if (!ix)
    throw new CommandError('IndexNotFound', `cannot find index ${JSON.stringify(change)} for ns ${coll.ns}`);
  const secs = change.expireAfterSeconds;
  if (secs === undefined) return { ok: 1 };
  if (typeof secs !== 'number' || !Number.isInteger(secs) || secs < 0) {
    throw new CommandError('InvalidOptions', 'expireAfterSeconds must be a non-negative integer');
  }
  if (ix.isId || ix.fields.length !== 1) {
    throw new CommandError(
      'InvalidOptions',
      'TTL indexes are single-field indexes, compound indexes do not support TTL',
    );
  }
  const old = ix.spec.expireAfterSeconds;
  ctx.state.engine.setExpireAfterSeconds(coll, ix.spec.name, secs);
  return {
    ...(typeof old === 'number' ? { expireAfterSeconds_old: old } : {}),
    expireAfterSeconds_new: secs,
    ok: 1,
  };
}

export const collModCommand: CommandDef = { names: ['collMod'], handler: collMod };
