import { hostname } from 'node:os';
import { MAX_BSON_OBJECT_SIZE } from '../storage/limits.ts';
import type { Doc } from '../storage/values.ts';
import type { CommandContext, CommandDef } from './context.ts';

/** Small diagnostic commands drivers and tools issue: ping, buildInfo, getParameter, serverStatus... */

const VERSION = '7.0.0';

function buildInfo(): Doc {
  return {
    version: VERSION,
    gitVersion: 'roster-embedded-mongo',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['roster-embedded'],
    modules: [],
    ok: 1,
  };
}

function getParameter(ctx: CommandContext): Doc {
  const known: Doc = {
    featureCompatibilityVersion: { version: '7.0' },
    transactionLifetimeLimitSeconds: 60,
    authenticationMechanisms: [],
  };
  const reply: Doc = {};
  const all =
    ctx.cmd.getParameter === '*' || (typeof ctx.cmd.allParameters === 'boolean' && ctx.cmd.allParameters);
  for (const [k, v] of Object.entries(known)) if (all || k in ctx.cmd) reply[k] = v;
  reply.ok = 1;
  return reply;
}

function serverStatus(ctx: CommandContext): Doc {
  const { info, engine, cursors, commandCounts } = ctx.state;
  return {
    host: hostname(),
    version: VERSION,
    process: 'roster-embedded-mongo',
    pid: process.pid,
    uptime: Math.floor((Date.now() - info.startedAt.getTime()) / 1000),
    localTime: new Date(),
    connections: { current: info.connections() },
    metrics: {
      // Commands served since start, by name — every round trip a client made.
      commands: Object.fromEntries([...commandCounts].map(([name, count]) => [name, { ...count }])),
      cursor: { open: { total: cursors.size } },
      queryExecutor: { scannedObjects: engine.scannedObjects },
    },
    storageEngine: { name: 'roster-embedded', persistent: info.dataDir !== undefined },
    transactions: { currentActive: engine.activeTxns.size },
    ok: 1,
  };
}

export const pingCommand: CommandDef = { names: ['ping'], handler: () => ({ ok: 1 }) };
export const buildInfoCommand: CommandDef = { names: ['buildInfo', 'buildinfo'], handler: buildInfo };
export const getParameterCommand: CommandDef = { names: ['getParameter'], handler: getParameter };
export const serverStatusCommand: CommandDef = { names: ['serverStatus'], handler: serverStatus };
export const whatsmyuriCommand: CommandDef = {
  names: ['whatsmyuri'],
  handler: () => ({ you: 'unknown', ok: 1 }),
};
export const hostInfoCommand: CommandDef = {
  names: ['hostInfo'],
  handler: () => ({ system: { hostname: hostname() }, os: { type: process.platform }, ok: 1 }),
};
export const getCmdLineOptsCommand: CommandDef = {
  names: ['getCmdLineOpts'],
  handler: () => ({ argv: process.argv, parsed: {}, ok: 1 }),
};
export const connectionStatusCommand: CommandDef = {
  names: ['connectionStatus'],
  handler: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
};
export const getLogCommand: CommandDef = {
  names: ['getLog'],
  handler: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
};
