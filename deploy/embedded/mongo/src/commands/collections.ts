import { CommandError } from '../errors.ts';
import { compileFilter } from '../query/mingo.ts';
import { validateNamespace } from '../storage/engine.ts';
import type { Doc } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

/** Collection and database management: create, drop, dropDatabase, listCollections, listDatabases. */

function create(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const { engine } = ctx.state;
  if (engine.collection(ctx.db, name)) {
    // MongoDB 7 accepts a create with identical options for an existing collection.
    return { ok: 1 };
  }
  validateNamespace(ctx.db, name);
  const options: Doc = {};
  for (const [k, v] of Object.entries(ctx.cmd)) {
    if (
      k === 'create' ||
      k.startsWith('$') ||
      ['lsid', 'txnNumber', 'autocommit', 'startTransaction', 'writeConcern', 'comment'].includes(k)
    )
      continue;
    options[k] = v;
  }
  engine.ensureCollection(ctx.db, name, options);
  return { ok: 1 };
}

function drop(ctx: CommandContext): Doc {
  const name = arg.collection(ctx);
  const c = ctx.state.engine.dropCollection(ctx.db, name);
  if (!c) return { ok: 1 };
  return { nIndexesWas: c.indexes.length, ns: c.ns, ok: 1 };
}

function dropDatabase(ctx: CommandContext): Doc {
  ctx.state.engine.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
}

function listCollections(ctx: CommandContext): Doc {
  const filter = arg.doc(ctx.cmd, 'filter');
  const nameOnly = arg.bool(ctx.cmd, 'nameOnly', false);
  const test = compileFilter(filter);
  const colls = ctx.state.engine.catalog.dbs.get(ctx.db);
  const out: Doc[] = [];
  for (const c of colls?.values() ?? []) {
    const full: Doc = {
      name: c.name,
      type: 'collection',
      options: c.options,
      info: { readOnly: false, uuid: c.uuid },
      idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
    };
    if (!test(full)) continue;
    out.push(nameOnly ? { name: c.name, type: 'collection' } : full);
  }
  const ns = `${ctx.db}.$cmd.listCollections`;
  const batchSize = arg.number(arg.doc(ctx.cmd, 'cursor') ?? {}, 'batchSize');
  const b = ctx.state.cursors.open(ns, out, batchSize, false);
  return { cursor: { id: b.id, ns, firstBatch: b.batch }, ok: 1 };
}

function listDatabases(ctx: CommandContext): Doc {
  if (ctx.db !== 'admin')
    throw new CommandError('Unauthorized', 'listDatabases may only be run against the admin database.');
  const nameOnly = arg.bool(ctx.cmd, 'nameOnly', false);
  const test = compileFilter(arg.doc(ctx.cmd, 'filter'));
  const databases: Doc[] = [];
  let totalSize = 0;
  for (const [name, colls] of ctx.state.engine.catalog.dbs) {
    let docs = 0;
    for (const c of colls.values()) docs += c.records.size;
    const sizeOnDisk = docs * 256 + 4096;
    const d: Doc = nameOnly ? { name } : { name, sizeOnDisk, empty: docs === 0 };
    if (!test(d)) continue;
    totalSize += sizeOnDisk;
    databases.push(d);
  }
  return nameOnly
    ? { databases, ok: 1 }
    : { databases, totalSize, totalSizeMb: Math.round(totalSize / 1048576), ok: 1 };
}

function splitNs(ns: unknown, field: string): [string, string] {
  if (typeof ns !== 'string')
    throw new CommandError('TypeMismatch', `BSON field '${field}' must be a string namespace`);
  const dot = ns.indexOf('.');
  if (dot <= 0 || dot === ns.length - 1)
    throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ns}'`);
  return [ns.slice(0, dot), ns.slice(dot + 1)];
}

/** renameCollection (admin): { renameCollection: 'db.a', to: 'db.b', dropTarget } */
function renameCollection(ctx: CommandContext): Doc {
  if (ctx.db !== 'admin') {
    throw new CommandError('Unauthorized', 'renameCollection may only be run against the admin database.');
  }
  const [fromDb, fromName] = splitNs(ctx.cmd.renameCollection, 'renameCollection');
  const [toDb, toName] = splitNs(ctx.cmd.to, 'to');
  const dropTarget = arg.bool(ctx.cmd, 'dropTarget', false);
  const { engine } = ctx.state;
  const from = engine.collection(fromDb, fromName);
  if (!from)
    throw new CommandError('NamespaceNotFound', `Source collection ${fromDb}.${fromName} does not exist`);
  if (fromDb === toDb && fromName === toName) {
    throw new CommandError('IllegalOperation', "Can't rename a collection to itself");
  }
  if (engine.collection(toDb, toName) && !dropTarget) {
    throw new CommandError('NamespaceExists', 'target namespace exists');
  }
  engine.renameCollection(from, toDb, toName, dropTarget);
  return { ok: 1 };
}

function dbStats(ctx: CommandContext): Doc {
  const colls = ctx.state.engine.catalog.dbs.get(ctx.db);
  let objects = 0;
  let indexes = 0;
  for (const c of colls?.values() ?? []) {
    objects += c.records.size;
    indexes += c.indexes.length;
  }
  return { db: ctx.db, collections: colls?.size ?? 0, views: 0, objects, indexes, ok: 1 };
}

export const renameCollectionCommand: CommandDef = { names: ['renameCollection'], handler: renameCollection };
export const dbStatsCommand: CommandDef = { names: ['dbStats', 'dbstats'], handler: dbStats };
export const createCommand: CommandDef = { names: ['create'], handler: create, inTransaction: true };
export const dropCommand: CommandDef = { names: ['drop'], handler: drop };
export const dropDatabaseCommand: CommandDef = { names: ['dropDatabase'], handler: dropDatabase };
export const listCollectionsCommand: CommandDef = { names: ['listCollections'], handler: listCollections };
export const listDatabasesCommand: CommandDef = { names: ['listDatabases'], handler: listDatabases };
