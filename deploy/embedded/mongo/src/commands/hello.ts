import { ObjectId } from 'bson';
import { LOGICAL_SESSION_TIMEOUT_MINUTES } from '../sessions/sessions.ts';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES, MAX_WRITE_BATCH_SIZE } from '../storage/limits.ts';
import type { Doc } from '../storage/values.ts';
import type { CommandContext, CommandDef } from './context.ts';

export const MAX_WIRE_VERSION = 21;

const ELECTION_ID = ObjectId.createFromHexString('7fffffff0000000000000001');

/**
 * hello / isMaster: describes a single-member replica set whose only member is primary. No
 * `topologyVersion`, so drivers poll instead of using awaitable (streaming) hellos.
 */
export function helloReply(ctx: Pick<CommandContext, 'state' | 'connectionId'>, legacy: boolean): Doc {
  const { info } = ctx.state;
  const reply: Doc = legacy ? { ismaster: true } : { isWritablePrimary: true };
  Object.assign(reply, {
    helloOk: true,
    secondary: false,
    setName: info.setName,
    setVersion: 1,
    hosts: [info.me],
    primary: info.me,
    me: info.me,
    electionId: ELECTION_ID,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: LOGICAL_SESSION_TIMEOUT_MINUTES,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
  return reply;
}

export const helloCommand: CommandDef = {
  names: ['hello'],
  handler: (ctx) => helloReply(ctx, false),
};

export const isMasterCommand: CommandDef = {
  names: ['isMaster', 'ismaster'],
  handler: (ctx) => helloReply(ctx, true),
};
