import { randomUUID } from 'node:crypto';
import { TOPICS } from '@roster/contracts';
import { type EmbeddedInfra, startEmbeddedInfra, waitFor } from '@roster/service-kit/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CommandLag } from '../../src/backpressure/command-lag.ts';
import { quietLog } from '../helpers.ts';

const TOPIC = TOPICS.scimCommands.name;

let infra: EmbeddedInfra;

beforeAll(async () => {
  infra = await startEmbeddedInfra('ingress', { keys: ['scimCommands'], partitions: 2 });
  const producer = infra.kafka.producer();
  await producer.connect();
  // Three commands on partition 0, two on partition 1 (the lag does not care what they say).
  await producer.send({
    topic: TOPIC,
    messages: [0, 0, 0, 1, 1].map((partition, i) => ({ partition, value: `command ${i}` })),
  });
  await producer.disconnect();
});

afterAll(async () => {
  await infra?.close();
});

test('the command lag is what the consumer group has not committed, summed over partitions', async () => {
  const groupId = `roster-status-${randomUUID()}`;
  const lag = new CommandLag(infra.kafka, quietLog(), { groupId, intervalMs: 50 });
  await lag.start();
  try {
    // A group that never committed has everything ahead of it.
    expect(lag.current()).toBe(5);

    const admin = infra.kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId,
      topic: TOPIC,
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '2' },
      ],
    });
    await admin.disconnect();
    await waitFor(async () => (lag.current() === 1 ? true : undefined), { what: 'the lag to shrink to 1' });
  } finally {
    await lag.stop();
  }
});
