import { KafkaJSProtocolError } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MESSAGE_MAX_BYTES, type RunningBroker, startBroker } from '../src/index.ts';
import { brokerLog, client, tempDir } from './helpers.ts';

const brokers: RunningBroker[] = [];
afterAll(async () => {
  for (const b of brokers) await b.close();
});

async function broker(options: Parameters<typeof startBroker>[0] = {}): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, logger: brokerLog, ...options });
  brokers.push(b);
  return b;
}

/** What a failed send rejects with: kafkajs wraps the broker's error when it gives up. */
async function sendError(
  b: RunningBroker,
  topic: string,
  value: string,
  producer = client(b.brokers).producer(),
): Promise<KafkaJSProtocolError | undefined> {
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value }] });
    return undefined;
  } catch (err) {
    let cause: unknown = err;
    while (cause && !(cause instanceof KafkaJSProtocolError)) cause = (cause as { cause?: unknown }).cause;
    if (!(cause instanceof KafkaJSProtocolError)) throw err;
    return cause;
  } finally {
    await producer.disconnect();
  }
}

describe('message.max.bytes', () => {
  it("refuses a record batch over Kafka's default 1048588 bytes with MESSAGE_TOO_LARGE, not retriable", async () => {
    expect(DEFAULT_MESSAGE_MAX_BYTES).toBe(1_048_588);
    const b = await broker();
    const err = await sendError(b, 'big', 'x'.repeat(DEFAULT_MESSAGE_MAX_BYTES));
    expect(err?.type).toBe('MESSAGE_TOO_LARGE');
    expect(err?.code).toBe(10);
    expect(err?.retriable).toBe(false);
    // one megabyte of value plus the record and batch headers still fits
    expect(await sendError(b, 'big', 'x'.repeat(1024 * 1024 - 200))).toBeUndefined();
  });

  it('takes the limit from the broker option and counts the whole batch as Kafka stores it', async () => {
    const b = await broker({ messageMaxBytes: 1000 });
    // a batch of one record: 61 bytes of batch header, about 10 bytes of record framing
    expect(await sendError(b, 'limited', 'x'.repeat(900))).toBeUndefined();
    expect((await sendError(b, 'limited', 'x'.repeat(1000)))?.type).toBe('MESSAGE_TOO_LARGE');
    // the refused batch was not appended
    const admin = client(b.brokers).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('limited');
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1);
  });

  it('leaves an idempotent producer usable after a refused batch', async () => {
    const b = await broker({ messageMaxBytes: 1000 });
    const kafka = client(b.brokers);
    const idempotent = () => kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const producer = idempotent();
    await producer.connect();
    await producer.send({ topic: 'pipeline', messages: [{ key: 'k', value: 'first' }] });
    await producer.disconnect();
    expect((await sendError(b, 'pipeline', 'x'.repeat(2000), idempotent()))?.type).toBe('MESSAGE_TOO_LARGE');
    const after = idempotent();
    await after.connect();
    await after
      .send({ topic: 'pipeline', messages: [{ key: 'k', value: 'x'.repeat(2000) }] })
      .catch(() => undefined);
    await after.send({ topic: 'pipeline', messages: [{ key: 'k', value: 'after' }] });
    await after.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('pipeline');
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(2);
  });

  it("honours a topic's max.message.bytes, also after a restart", async () => {
    const dataDir = await tempDir('max-message-bytes');
    const first = await broker({ dataDir });
    const admin = client(first.brokers).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'small-messages', configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
        { topic: 'default-messages' },
      ],
    });
    const invalid = (await admin
      .createTopics({
        topics: [{ topic: 'bad-config', configEntries: [{ name: 'max.message.bytes', value: 'lots' }] }],
      })
      .catch((err: unknown) => err)) as { errors?: { type: string }[] };
    expect(invalid.errors?.map((e) => e.type)).toEqual(['INVALID_CONFIG']);
    await admin.disconnect();
    const value = 'y'.repeat(3000);
    expect((await sendError(first, 'small-messages', value))?.type).toBe('MESSAGE_TOO_LARGE');
    expect(await sendError(first, 'default-messages', value)).toBeUndefined();
    await first.close();

    const second = await broker({ dataDir });
    expect((await sendError(second, 'small-messages', value))?.type).toBe('MESSAGE_TOO_LARGE');
    expect(await sendError(second, 'small-messages', 'small')).toBeUndefined();
  });
});
