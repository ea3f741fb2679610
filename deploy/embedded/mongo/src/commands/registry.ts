import {
  buildInfoCommand,
  connectionStatusCommand,
  getCmdLineOptsCommand,
  getLogCommand,
  getParameterCommand,
  hostInfoCommand,
  pingCommand,
  serverStatusCommand,
  whatsmyuriCommand,
} from './admin.ts';
import { aggregateCommand } from './aggregate.ts';
import {
  createCommand,
  dbStatsCommand,
  dropCommand,
  dropDatabaseCommand,
  listCollectionsCommand,
  listDatabasesCommand,
  renameCollectionCommand,
} from './collections.ts';
import { collModCommand } from './collMod.ts';
import type { CommandDef } from './context.ts';
import { countCommand } from './count.ts';
import { createIndexesCommand } from './createIndexes.ts';
import { deleteCommand } from './delete.ts';
import { distinctCommand } from './distinct.ts';
import { dropIndexesCommand } from './dropIndexes.ts';
import { findCommand } from './find.ts';
import { findAndModifyCommand } from './findAndModify.ts';
import { getMoreCommand } from './getMore.ts';
import { helloCommand, isMasterCommand } from './hello.ts';
import { insertCommand } from './insert.ts';
import { killCursorsCommand } from './killCursors.ts';
import { listIndexesCommand } from './listIndexes.ts';
import { abortTransactionCommand, commitTransactionCommand, endSessionsCommand } from './sessions.ts';
import { updateCommand } from './update.ts';

const ALL: CommandDef[] = [
  helloCommand,
  isMasterCommand,
  pingCommand,
  buildInfoCommand,
  getParameterCommand,
  serverStatusCommand,
  whatsmyuriCommand,
  hostInfoCommand,
  getCmdLineOptsCommand,
  connectionStatusCommand,
  getLogCommand,
  insertCommand,
  updateCommand,
  deleteCommand,
  findAndModifyCommand,
  findCommand,
  getMoreCommand,
  killCursorsCommand,
  aggregateCommand,
  countCommand,
  distinctCommand,
  createIndexesCommand,
  listIndexesCommand,
  dropIndexesCommand,
  collModCommand,
  createCommand,
  dropCommand,
  dropDatabaseCommand,
  listCollectionsCommand,
  listDatabasesCommand,
  renameCollectionCommand,
  dbStatsCommand,
  endSessionsCommand,
  commitTransactionCommand,
  abortTransactionCommand,
];

/** Command name (and aliases) → definition. */
export const COMMANDS: ReadonlyMap<string, CommandDef> = new Map(
  ALL.flatMap((def) => def.names.map((n) => [n, def] as const)),
);
