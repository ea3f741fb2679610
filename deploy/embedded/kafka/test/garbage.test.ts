import { randomBytes } from 'node:crypto';
import { waitFor } from '@roster/test-support';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../src/index.ts';
import { brokerLog, client, RawClient } from './helpers.ts';
import { call, req, res } from './kafkajsProtocol.ts';

const API_VERSIONS = 18;
const METADATA = 3;
const PRODUCE = 0;
const FETCH = 1;
const MAX_FRAME = 1024 * 1024;

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

describe('bad input over raw sockets', () => {
  let broker: RunningBroker;
  let kafka: Kafka;
  let producer: Producer;
  const logs: string[] = [];
  let sent = 0;

  /** A kafkajs producer connected before the garbage keeps working afterwards. */
  async function stillServing(): Promise<void> {
    const [r] = await producer.send({ topic: 'healthy', messages: [{ value: `ok-${sent++}` }] });
    expect(r!.errorCode).toBe(0);
    const c = await RawClient.connect(broker.brokers);
    const v = await c.request(API_VERSIONS, 1, 7, Buffer.alloc(0));
    expect(v.readInt16BE(0)).toBe(0);
    c.close();
  }

  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      maxFrameBytes: MAX_FRAME,
      logger: (l) => {
        logs.push(l);
        brokerLog(l);
      },
    });
    kafka = client(broker.brokers);
    producer = kafka.producer();
    await producer.connect();
    await stillServing();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await broker?.close();
  });

  it('closes the connection on a malformed body', async () => {
    const c = await RawClient.connect(broker.brokers);
    // Metadata v1 claiming 5 topic names but carrying none
    c.write(RawClient.frame(METADATA, 1, 1, int32(5)));
    await c.waitClosed();
    expect(logs.some((l) => l.includes('malformed Metadata'))).toBe(true);
    await stillServing();
  });

  it('does not allocate for absurd array lengths', async () => {
    const c = await RawClient.connect(broker.brokers);
    c.write(RawClient.frame(METADATA, 1, 1, int32(0x7fffffff)));
    await c.waitClosed();
    await stillServing();
  });

  it('closes the connection on an oversized frame without reading it', async () => {
    const c = await RawClient.connect(broker.brokers);
    c.write(int32(MAX_FRAME + 1));
    await c.waitClosed();
    expect(logs.some((l) => l.includes(`invalid frame size ${MAX_FRAME + 1}`))).toBe(true);
    await stillServing();
  });

  it.each([
    ['negative', -5],
    ['too small for a header', 3],
  ])('closes the connection on a %s frame size', async (_label, size) => {
    const c = await RawClient.connect(broker.brokers);
    c.write(Buffer.concat([int32(size), randomBytes(16)]));
    await c.waitClosed();
    await stillServing();
  });

  it('survives a truncated frame followed by a disconnect', async () => {
    const c = await RawClient.connect(broker.brokers);
    const full = RawClient.frame(API_VERSIONS, 1, 1, Buffer.alloc(0));
    c.write(Buffer.concat([int32(500), full.subarray(4)])); // says 500 bytes, sends a dozen
    c.socket.end();
    await c.waitClosed();
    await stillServing();
  });

  it('closes the connection on an unknown API key and on an unsupported version', async () => {
    const unknown = await RawClient.connect(broker.brokers);
    unknown.write(RawClient.frame(999, 0, 1, Buffer.alloc(8)));
    await unknown.waitClosed();
    expect(logs.some((l) => l.includes('unknown API key 999'))).toBe(true);

    const tooNew = await RawClient.connect(broker.brokers);
    tooNew.write(RawClient.frame(FETCH, 11, 2, Buffer.alloc(64)));
    await tooNew.waitClosed();
    expect(logs.some((l) => l.includes('unsupported Fetch version 11'))).toBe(true);
    await stillServing();
  });

  it('answers an unsupported ApiVersions version with UNSUPPORTED_VERSION (35) in v0 format', async () => {
    const c = await RawClient.connect(broker.brokers);
    const body = await c.request(API_VERSIONS, 9, 3, Buffer.alloc(0));
    expect(body.readInt16BE(0)).toBe(35);
    const count = body.readInt32BE(2);
    const keys = Array.from({ length: count }, (_, i) => body.readInt16BE(6 + i * 6));
    expect(keys).toContain(API_VERSIONS);
    expect(c.closed).toBe(false);
    c.close();
  });

  it('answers CORRUPT_MESSAGE for records that are not a record batch and keeps the connection', async () => {
    const c = await RawClient.connect(broker.brokers);
    await call(c, req.produce({ topic: 'healthy', partition: 0, values: ['create'] }), res.produce);
    const topic = Buffer.from('healthy');
    const junk = randomBytes(100);
    const body = Buffer.concat([
      Buffer.from([0xff, 0xff]), // transactional id: null
      Buffer.from([0xff, 0xff]), // acks -1
      int32(1000),
      int32(1),
      Buffer.from([0, topic.length]),
      topic,
      int32(1),
      int32(0),
      int32(junk.length),
      junk,
    ]);
    const r = await c.request(PRODUCE, 3, 9, body);
    // [topics: name [partitions: index error_code ...]]
    const errorCode = r.readInt16BE(4 + 2 + topic.length + 4 + 4);
    expect(errorCode).toBe(2);
    expect(c.closed).toBe(false);
    c.close();
    await stillServing();
  });

  it('survives streams of random bytes from many sockets at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(broker.brokers)));
    for (const s of sockets) s.write(randomBytes(4096));
    await waitFor(() => sockets.every((s) => s.closed || s.socket.writableLength === 0));
    for (const s of sockets) s.close();
    await stillServing();
  });

  it('consumes what was produced between the garbage', async () => {
    const consumer = kafka.consumer({ groupId: 'after-garbage', maxWaitTimeInMs: 50 });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'healthy', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString());
      },
    });
    const expected = [...Array.from({ length: sent }, (_, i) => `ok-${i}`), 'create'];
    await waitFor(() => got.length >= expected.length);
    await consumer.disconnect();
    expect(got.sort()).toEqual(expected.sort());
  });
});
