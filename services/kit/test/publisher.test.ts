import { TOPICS, type UserChanged } from '@roster/contracts';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPublisher } from '../src/kafka/publisher.ts';
import {
  collect,
  type EmbeddedInfra,
  snapshot,
  startEmbeddedInfra,
  userChanged,
  waitFor,
} from '../src/testing/index.ts';

let infra: EmbeddedInfra;
beforeAll(async () => {
  // One partition: every message of the publish lands in the same record batch unless it is split.
  infra = await startEmbeddedInfra('kit-publisher', { keys: ['directoryChanges'], partitions: 1 });
});
afterAll(async () => {
  await infra?.close();
});

test('one publish larger than the broker’s message.max.bytes arrives whole and in order', async () => {
  const publisher = await createPublisher(infra.kafka);
  const received = await collect<UserChanged>(infra.kafka, TOPICS.directoryChanges.name);
  try {
    // 40 changes of ~50 KB: 2 MB in one publish, twice the broker's 1 MiB batch limit.
    const padding = 'x'.repeat(50_000);
    const changes = Array.from({ length: 40 }, (_, i) =>
      userChanged('org-1', i + 1, snapshot(`user-${i}-${padding}`)),
    );
    await publisher.publish('directoryChanges', changes);
    await waitFor(() => (received.messages.length >= changes.length ? true : undefined), {
      what: 'every published change',
    });
    expect(received.messages.map((m) => m.id)).toEqual(changes.map((c) => c.id));
  } finally {
    await received.stop();
    await publisher.close();
  }
});
