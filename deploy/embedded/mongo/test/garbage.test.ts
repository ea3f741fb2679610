import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { type Document, deserialize, Long, serialize, UUID } from 'bson';
import type { MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c } from '../src/wire/protocol.ts';
import { type AnyDoc, type Harness, startHarness } from './helpers.ts';

const logs: string[] = [];
let h: Harness;
let port: number;
beforeAll(async () => {
  h = await startHarness({ logger: (l) => logs.push(l) });
  port = h.store.port;
});
afterAll(async () => {
  await h?.close();
});

const OP_MSG = 2013;
let nextRequestId = 1;

function frame(opCode: number, payload: Buffer, lengthOverride?: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(lengthOverride ?? 16 + payload.length, 0);
  header.writeInt32LE(nextRequestId++, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, payload]);
}

function opMsg(body: Buffer | Document, flags = 0): Buffer {
  const bson = Buffer.isBuffer(body) ? body : Buffer.from(serialize(body));
  const head = Buffer.alloc(5);
  head.writeUInt32LE(flags, 0);
  head[4] = 0;
  return frame(OP_MSG, Buffer.concat([head, bson]));
}

interface Outcome {
  reply?: Document;
  closed: boolean;
}

/** Sends bytes on a socket and waits for one reply message, the socket closing, or a quiet period. */
function exchange(sock: Socket, bytes: Buffer, waitMs = 1_000): Promise<Outcome> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const done = (o: Outcome): void => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      resolve(o);
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        // OP_MSG: body after flags + section kind; OP_REPLY (answer to OP_QUERY): after 20 bytes of fields
        const start = buf.readInt32LE(12) === OP_MSG ? 21 : 36;
        done({ reply: deserialize(buf.subarray(start, buf.readInt32LE(0))), closed: false });
      }
    };
    const onClose = (): void => done({ closed: true });
    const timer = setTimeout(() => done({ closed: sock.destroyed }), waitMs);
    sock.on('data', onData);
    sock.on('close', onClose);
    sock.write(bytes);
  });
}

async function open(): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  await new Promise<void>((r) => sock.once('connect', () => r()));
  return sock;
}

async function ping(sock: Socket): Promise<Document | undefined> {
  return (await exchange(sock, opMsg({ ping: 1, $db: 'admin' }))).reply;
}

async function driverStillWorks(): Promise<void> {
  const c = h.client.db('garbage').collection<AnyDoc>('probe');
  const { insertedId } = await c.insertOne({ at: Date.now() });
  expect((await c.findOne({ _id: insertedId }))?._id).toEqual(insertedId);
}

describe('garbage input', () => {
  it('answers a well-formed raw OP_MSG', async () => {
    const sock = await open();
    expect(await ping(sock)).toEqual({ ok: 1 });
    sock.destroy();
  });

  it('answers the legacy OP_QUERY handshake with OP_REPLY', async () => {
    const sock = await open();
    const head = Buffer.alloc(4);
    const name = Buffer.from('admin.$cmd\u0000');
    const skipReturn = Buffer.alloc(8);
    skipReturn.writeInt32LE(-1, 4);
    const query = Buffer.from(serialize({ isMaster: 1, helloOk: true, client: { driver: { name: 'raw' } } }));
    const out = await exchange(sock, frame(2004, Buffer.concat([head, name, skipReturn, query])));
    expect(out.reply?.ok).toBe(1);
    expect(out.reply?.ismaster).toBe(true);
    expect(out.reply?.setName).toBe('rs0');
    expect(out.reply?.maxWireVersion).toBe(21);
    expect(out.reply?.topologyVersion).toBeUndefined();
    sock.destroy();
  });

  it('replies InvalidBSON to a malformed body and keeps the connection', async () => {
    const sock = await open();
    const good = Buffer.from(serialize({ ping: 1, $db: 'admin' }));
    const bad = Buffer.from(good);
    bad[4] = 0x7e; // unknown BSON element type
    const out = await exchange(sock, opMsg(bad));
    expect(out.reply?.ok).toBe(0);
    expect(out.reply?.code).toBe(22);
    // BSON length field larger than the section
    const long = Buffer.from(good);
    long.writeInt32LE(good.length + 50, 0);
    const out2 = await exchange(sock, opMsg(long));
    expect(out2.reply?.ok).toBe(0);
    expect(await ping(sock)).toEqual({ ok: 1 });
    sock.destroy();
    expect(logs.some((l) => l.includes('bad OP_MSG'))).toBe(true);
  });

  it('rejects missing $db, unknown section kinds and unknown required flags with an error reply', async () => {
    const sock = await open();
    const noDb = await exchange(sock, opMsg({ ping: 1 }));
    expect(noDb.reply?.code).toBe(40571);
    const kind = opMsg({ ping: 1, $db: 'admin' });
    kind[20] = 9;
    expect((await exchange(sock, kind)).reply?.ok).toBe(0);
    const flags = await exchange(sock, opMsg({ ping: 1, $db: 'admin' }, 1 << 5));
    expect(flags.reply?.ok).toBe(0);
    expect(await ping(sock)).toEqual({ ok: 1 });
    sock.destroy();
  });

  it('closes connections announcing oversized or undersized messages', async () => {
    for (const length of [100 * 1024 * 1024, 3, -1]) {
      const sock = await open();
      const out = await exchange(sock, frame(OP_MSG, Buffer.alloc(8), length));
      expect(out.closed).toBe(true);
      sock.destroy();
    }
    await driverStillWorks();
  });

  it('closes connections using unknown opcodes', async () => {
    const sock = await open();
    const out = await exchange(sock, frame(4242, Buffer.alloc(20)));
    expect(out.closed).toBe(true);
    await driverStillWorks();
  });

  it('survives a truncated message followed by a hang-up', async () => {
    const sock = await open();
    const full = opMsg({ insert: 'probe', documents: [{ x: 1 }], $db: 'garbage' });
    sock.write(full.subarray(0, Math.floor(full.length / 2)));
    sock.end();
    await new Promise<void>((r) => sock.once('close', () => r()));
    await driverStillWorks();
  });

  it('accepts document sequences (section kind 1) and rejects malformed ones', async () => {
    const sock = await open();
    const docs = [{ _id: 'seq1' }, { _id: 'seq2', v: 2 }];
    const seqBody = Buffer.concat([
      Buffer.from('documents\u0000'),
      ...docs.map((d) => Buffer.from(serialize(d))),
    ]);
    const seq = Buffer.alloc(5);
    seq[0] = 1;
    seq.writeInt32LE(4 + seqBody.length, 1);
    const body = Buffer.from(serialize({ insert: 'seq', $db: 'garbage' }));
    const head = Buffer.alloc(5); // flags 0, then kind 0
    const msg = frame(OP_MSG, Buffer.concat([head, body, seq, seqBody]));
    const out = await exchange(sock, msg);
    expect(out.reply).toEqual({ n: docs.length, ok: 1 });
    expect(await h.client.db('garbage').collection<AnyDoc>('seq').find().toArray()).toEqual(docs);

    // sequence length pointing past the message
    const badSeq = Buffer.from(seq);
    badSeq.writeInt32LE(4 + seqBody.length + 100, 1);
    const bad = await exchange(sock, frame(OP_MSG, Buffer.concat([head, body, badSeq, seqBody])));
    expect(bad.reply?.ok).toBe(0);
    // a sequence repeating a body field
    const dupBody = Buffer.from(serialize({ insert: 'seq', documents: [], $db: 'garbage' }));
    const dup = await exchange(sock, frame(OP_MSG, Buffer.concat([head, dupBody, seq, seqBody])));
    expect(dup.reply?.ok).toBe(0);
    expect(await ping(sock)).toEqual({ ok: 1 });
    sock.destroy();
  });

  it('verifies an OP_MSG CRC-32C checksum when one is present', async () => {
    const sock = await open();
    const withSum = (corrupt: boolean): Buffer => {
      const msg = opMsg({ ping: 1, $db: 'admin' }, 1);
      const full = Buffer.concat([msg, Buffer.alloc(4)]);
      full.writeInt32LE(full.length, 0);
      full.writeUInt32LE(
        (crc32c(full.subarray(0, full.length - 4)) ^ (corrupt ? 1 : 0)) >>> 0,
        full.length - 4,
      );
      return full;
    };
    expect((await exchange(sock, withSum(false))).reply).toEqual({ ok: 1 });
    const bad = await exchange(sock, withSum(true));
    expect(bad.reply?.ok).toBe(0);
    expect(String(bad.reply?.errmsg)).toContain('checksum');
    sock.destroy();
  });

  it('executes a moreToCome (w:0) write without replying', async () => {
    const sock = await open();
    // the unacknowledged insert and a ping back to back: the first reply on the wire is the ping's
    sock.write(
      opMsg({ insert: 'fire', documents: [{ _id: 'f1' }], $db: 'garbage', writeConcern: { w: 0 } }, 1 << 1),
    );
    const out = await exchange(sock, opMsg({ ping: 1, $db: 'admin' }));
    expect(out.reply).toEqual({ ok: 1 });
    sock.destroy();
    expect(await h.client.db('garbage').collection<AnyDoc>('fire').findOne({ _id: 'f1' })).toEqual({
      _id: 'f1',
    });
  });

  it('survives random bytes inside well-framed messages', async () => {
    for (let i = 0; i < 100; i++) {
      const sock = await open();
      const payload = randomBytes(5 + Math.floor(Math.random() * 200));
      if (i % 2 === 0) payload[4] = 0; // section kind 0 half of the time
      const out = await exchange(sock, frame(i % 3 === 0 ? 2004 : OP_MSG, payload), 300);
      if (out.reply) expect(out.reply.ok).toBe(0);
      sock.destroy();
    }
    await driverStillWorks();
  });

  it('answers wrong argument types with the server error codes', async () => {
    const db = h.client.db('garbage');
    const code = async (cmd: Document): Promise<unknown> =>
      ((await db.command(cmd).catch((e: unknown) => e)) as MongoServerError).code;
    expect(await code({ find: 5 })).toBe(73);
    expect(await code({ find: 'probe', filter: 'nope' })).toBe(14);
    expect(await code({ find: 'probe', filter: { a: { $bogus: 1 } } })).toBe(2);
    expect(await code({ find: 'probe', limit: 'ten' })).toBe(14);
    expect(await code({ insert: 'probe', documents: 'nope' })).toBe(14);
    expect(await code({ insert: 'probe' })).toBe(4);
    expect(await code({ getMore: 'abc', collection: 'probe' })).toBe(14);
    expect(await code({ killCursors: 'probe', cursors: 'no' })).toBe(14);
    expect(await code({ createIndexes: 'probe', indexes: [{ key: {} }] })).toBe(67);
    expect(await code({ aggregate: 'probe', pipeline: 'no', cursor: {} })).toBe(14);
    expect(await code({ aggregate: 'probe', pipeline: [] })).toBe(9);
    expect(await code({ findAndModify: 'probe', query: {}, update: 5 })).toBe(9);
    expect(await code({ distinct: 'probe', key: 7 })).toBe(14);
    const upd = await db.command({
      update: 'probe',
      updates: [5, { q: {}, u: { $set: { a: 1 } } }],
      ordered: false,
    });
    expect(upd.writeErrors.map((e: { index: number }) => e.index)).toEqual([0]);
    await driverStillWorks();
  });

  it('answers a retried write (same lsid + txnNumber) without applying it twice', async () => {
    const sock = await open();
    const lsid = { id: new UUID() };
    const cmd = {
      update: 'retry',
      updates: [{ q: { _id: 'r' }, u: { $inc: { n: 1 } }, upsert: true }],
      lsid,
      txnNumber: Long.fromNumber(1),
      $db: 'garbage',
    };
    const first = await exchange(sock, opMsg(cmd));
    const again = await exchange(sock, opMsg(cmd));
    expect(again.reply).toEqual(first.reply);
    const next = await exchange(sock, opMsg({ ...cmd, txnNumber: Long.fromNumber(2) }));
    expect(next.reply?.nModified).toBe(1);
    sock.destroy();
    expect(await h.client.db('garbage').collection<AnyDoc>('retry').findOne({ _id: 'r' })).toEqual({
      _id: 'r',
      n: 2,
    });
  });

  it('answers every command with wrongly typed arguments without internal errors', async () => {
    const db = h.client.db('garbage');
    await db.collection<AnyDoc>('fuzz').insertMany([{ a: 1, b: [1, 2] }, { a: 2 }]);
    const values: unknown[] = [null, 5, 'str', [], [5], {}, { $bad: 1 }, true, [{ q: 5 }]];
    const fields = [
      'filter',
      'query',
      'sort',
      'projection',
      'update',
      'updates',
      'deletes',
      'documents',
      'pipeline',
      'cursor',
      'key',
      'indexes',
      'index',
      'limit',
      'batchSize',
      'arrayFilters',
      'collation',
      'cursors',
    ];
    const names = [
      'find',
      'insert',
      'update',
      'delete',
      'findAndModify',
      'aggregate',
      'count',
      'distinct',
      'createIndexes',
      'listIndexes',
      'dropIndexes',
      'getMore',
      'killCursors',
      'listCollections',
      'create',
    ];
    let replies = 0;
    for (const name of names) {
      for (const field of fields) {
        for (const value of values) {
          const cmd: Document = { [name]: name === 'getMore' ? 1 : 'fuzz', [field]: value };
          const reply = await db.command(cmd).catch((e: MongoServerError) => e.errorResponse);
          expect([0, 1]).toContain(reply.ok);
          replies++;
        }
      }
    }
    expect(replies).toBe(names.length * fields.length * values.length);
    expect(logs.filter((l) => l.includes('unexpectedly'))).toEqual([]);
    await driverStillWorks();
  });
});
