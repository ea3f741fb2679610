import { deserialize, serialize } from 'bson';
import type { Doc } from '../storage/values.ts';

/**
 * MongoDB wire protocol codec: the 16-byte header, legacy OP_QUERY/OP_REPLY (only used for the
 * first hello of a connection) and OP_MSG with section kinds 0 (body) and 1 (document sequence).
 */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
export const FLAG_CHECKSUM_PRESENT = 1 << 0;
export const FLAG_MORE_TO_COME = 1 << 1;
export const FLAG_EXHAUST_ALLOWED = 1 << 16;

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** Structurally invalid message: the request can still be answered (we know its requestId). */
export class MessageError extends Error {
  readonly bson: boolean;
  constructor(message: string, bson = false) {
    super(message);
    this.bson = bson;
  }
}

export function readHeader(msg: Buffer): Header {
  return {
    length: msg.readInt32LE(0),
    requestId: msg.readInt32LE(4),
    responseTo: msg.readInt32LE(8),
    opCode: msg.readInt32LE(12),
  };
}

function bsonDoc(msg: Buffer, off: number, end: number): { doc: Doc; size: number } {
  if (off + 5 > end) throw new MessageError('truncated BSON document', true);
  const size = msg.readInt32LE(off);
  if (size < 5 || off + size > end) throw new MessageError(`invalid BSON document length ${size}`, true);
  try {
    return { doc: deserialize(msg.subarray(off, off + size), { validation: { utf8: true } }) as Doc, size };
  } catch (err) {
    throw new MessageError(`invalid BSON: ${err instanceof Error ? err.message : String(err)}`, true);
  }
}

function cstring(msg: Buffer, off: number, end: number): { value: string; next: number } {
  const nul = msg.indexOf(0, off);
  if (nul < 0 || nul >= end) throw new MessageError('unterminated C string');
  return { value: msg.toString('utf8', off, nul), next: nul + 1 };
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the optional OP_MSG checksum over everything before it. */
export function crc32c(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC32C_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface OpMsg {
  flags: number;
  /** body with document sequences folded in under their identifiers */
  command: Doc;
}

export function parseOpMsg(msg: Buffer): OpMsg {
  if (msg.length < HEADER_SIZE + 5) throw new MessageError('OP_MSG too short');
  const flags = msg.readUInt32LE(HEADER_SIZE);
  // bits 0-15 are "required": an unknown one must make the request fail
  if ((flags & 0xffff & ~(FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME)) !== 0) {
    throw new MessageError(`Unrecognized OP_MSG flags ${flags}`);
  }
  const end = flags & FLAG_CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  if (flags & FLAG_CHECKSUM_PRESENT && crc32c(msg.subarray(0, end)) !== msg.readUInt32LE(end)) {
    throw new MessageError('OP_MSG checksum mismatch');
  }
  let off = HEADER_SIZE + 4;
  let body: Doc | undefined;
  const sequences: [string, Doc[]][] = [];
  while (off < end) {
    const kind = msg[off++];
    if (kind === 0) {
      if (body) throw new MessageError('OP_MSG has more than one body section');
      const { doc, size } = bsonDoc(msg, off, end);
      body = doc;
      off += size;
    } else if (kind === 1) {
      if (off + 4 > end) throw new MessageError('truncated document sequence');
      const size = msg.readInt32LE(off);
      const secEnd = off + size;
      if (size < 5 || secEnd > end) throw new MessageError(`invalid document sequence length ${size}`);
      const id = cstring(msg, off + 4, secEnd);
      off = id.next;
      const docs: Doc[] = [];
      while (off < secEnd) {
        const { doc, size: dsize } = bsonDoc(msg, off, secEnd);
        docs.push(doc);
        off += dsize;
      }
      sequences.push([id.value, docs]);
    } else {
      throw new MessageError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!body) throw new MessageError('OP_MSG has no body section');
  for (const [id, docs] of sequences) {
    if (id in body) throw new MessageError(`duplicate field ${id} in OP_MSG body and document sequence`);
    body[id] = docs;
  }
  return { flags, command: body };
}

export interface OpQuery {
  collection: string;
  query: Doc;
}

export function parseOpQuery(msg: Buffer): OpQuery {
  const end = msg.length;
  const name = cstring(msg, HEADER_SIZE + 4, end);
  const off = name.next + 8; // numberToSkip, numberToReturn
  if (off > end) throw new MessageError('truncated OP_QUERY');
  const { doc } = bsonDoc(msg, off, end);
  return { collection: name.value, query: doc };
}

function header(buf: Buffer, requestId: number, responseTo: number, opCode: number): void {
  buf.writeInt32LE(buf.length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
}

export function encodeOpMsg(requestId: number, responseTo: number, doc: Doc): Buffer {
  const body = serialize(doc);
  const buf = Buffer.allocUnsafe(HEADER_SIZE + 5 + body.length);
  header(buf, requestId, responseTo, OP_MSG);
  buf.writeUInt32LE(0, HEADER_SIZE);
  buf[HEADER_SIZE + 4] = 0;
  buf.set(body, HEADER_SIZE + 5);
  return buf;
}

export function encodeOpReply(requestId: number, responseTo: number, doc: Doc): Buffer {
  const body = serialize(doc);
  const buf = Buffer.allocUnsafe(HEADER_SIZE + 20 + body.length);
  header(buf, requestId, responseTo, OP_REPLY);
  buf.writeInt32LE(8, HEADER_SIZE); // AwaitCapable
  buf.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  buf.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  buf.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  buf.set(body, HEADER_SIZE + 20);
  return buf;
}
