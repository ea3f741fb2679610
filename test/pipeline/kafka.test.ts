import type { LifecycleEvent } from '@roster/contracts';
import { waitFor } from '@roster/test-support';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { subscribeToLifecycle } from '../examples/lifecycle-subscriber.ts';
import { newUser, PATCH_OP } from '../src/fixtures.ts';
import { collect, kafkaFor } from '../src/kafka.ts';
import { setUpOrganization } from '../src/org.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** Resolves once `groupId` has committed past `offset` on `partition` of `topic`. */
const consumedPast = async (groupId: string, topic: string, partition: number, offset: string) => {
  const admin = kafkaFor(stack.kafkaBrokers).admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
        return BigInt(at) > BigInt(offset) ? true : undefined;
      },
      { what: `${groupId} to consume ${topic}[${partition}]@${offset}` },
    );
  } finally {
    await admin.disconnect();
  }
};

test('downstream subscribers see each lifecycle change once, with the SCIM call’s trace, also when a command is redelivered', async () => {
  const org = await setUpOrganization(stack);
  // The README's example subscriber, as a downstream team would run it.
  const received: { value: LifecycleEvent; key: string | null; headers: { traceparent?: string } }[] = [];
  const subscription = await subscribeToLifecycle(
    stack.kafkaBrokers.split(','),
    `downstream-${Date.now()}`,
    (event, meta) => {
      received.push({
        value: event,
        key: meta.key,
        headers: { ...(meta.traceparent ? { traceparent: meta.traceparent } : {}) },
      });
    },
  );
  const lifecycle = { messages: received, stop: () => subscription.stop() };
  try {
    const created = await org.scim.post('/Users', newUser('dora@example.com'), { traceparent: TRACEPARENT });
    const id = created.body.id;
    await org.scim.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'Lead' }],
    });
    await org.scim.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });

    // Redeliver the create command exactly as the ingress published it.
    const commands = await collect(stack.kafkaBrokers, 'roster.scim-commands.v1');
    const original = await waitFor(() =>
      commands.messages.find(
        (m) =>
          m.value?.type === 'roster.command.user.create.v1' &&
          m.value.data.user.userName === 'dora@example.com',
      ),
    );
    await commands.stop();
    const producer = kafkaFor(stack.kafkaBrokers).producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic: 'roster.scim-commands.v1',
      acks: -1,
      messages: [
        {
          key: original.key,
          value: JSON.stringify(original.value),
          headers: original.headers,
          partition: original.partition,
        },
      ],
    });
    await producer.disconnect();
    await consumedPast('roster-status', 'roster.scim-commands.v1', original.partition, sent!.baseOffset!);

    const expected = [
      'roster.lifecycle.user.provisioned.v1',
      'roster.lifecycle.user.license.changed.v1',
      'roster.lifecycle.user.workspace.added.v1',
      'roster.lifecycle.user.updated.v1',
      'roster.lifecycle.user.deactivated.v1',
      'roster.lifecycle.user.license.changed.v1',
      'roster.lifecycle.user.workspace.removed.v1',
    ];
    const mine = () => lifecycle.messages.filter((m) => m.value?.subject === id);
    await waitFor(() => (mine().length >= expected.length ? true : undefined), {
      what: 'the lifecycle events',
    });
    // Nothing more arrives for this user: a marker user's event proves the topic moved on.
    const marker = await org.scim.post('/Users', newUser('marker@example.com'));
    await waitFor(() =>
      lifecycle.messages.some((m) => m.value?.subject === marker.body.id) ? true : undefined,
    );

    const events = mine();
    expect(events.map((m) => m.value.type).sort()).toEqual([...expected].sort());
    expect(new Set(events.map((m) => m.value.id)).size).toBe(events.length);
    expect(new Set(events.map((m) => m.key))).toEqual(new Set([`${org.orgId}:${id}`]));
    const licenses = events
      .filter((m) => m.value.type === 'roster.lifecycle.user.license.changed.v1')
      .map((m) => m.value.data);
    expect(licenses).toEqual([
      expect.objectContaining({ from: null, to: 'org-free-license' }),
      expect.objectContaining({ from: 'org-free-license', to: null }),
    ]);
    const provisioned = events.find((m) => m.value.type === 'roster.lifecycle.user.provisioned.v1')!;
    expect(provisioned.headers.traceparent!.split('-')[1]).toBe(TRACEPARENT.split('-')[1]);
  } finally {
    await lifecycle.stop();
  }
});

test('poison messages go to the dead-letter topic and every partition keeps flowing', async () => {
  const org = await setUpOrganization(stack);
  const deadLetters = await collect(stack.kafkaBrokers, 'roster.dead-letter.v1');
  try {
    const producer = kafkaFor(stack.kafkaBrokers).producer();
    await producer.connect();
    const poison = (topic: string) =>
      [0, 1, 2].map((partition) => ({
        topic,
        messages: [{ partition, key: 'poison', value: `{not json ${topic}` }],
      }));
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        ...poison('roster.scim-commands.v1'),
        ...poison('roster.directory-changes.v1'),
        {
          topic: 'roster.step-outcomes.v1',
          messages: [0, 1, 2].map((partition) => ({
            partition,
            key: 'poison',
            value: '{"type":"roster.outcome.step.v1"}',
          })),
        },
      ],
    });
    await producer.disconnect();

    const groups = [
      'roster-status',
      'roster-licensing',
      'roster-membership',
      'roster-content-transfer',
      'roster-status-outcomes',
    ];
    await waitFor(
      () => {
        const seen = new Set(deadLetters.messages.map((m) => m.value?.consumerGroup));
        return groups.every((g) => seen.has(g)) ? true : undefined;
      },
      { what: 'every consumer group to dead-letter the poison' },
    );
    const letter = deadLetters.messages.find((m) => m.value?.origin?.topic === 'roster.scim-commands.v1')!;
    expect(letter.value).toMatchObject({ error: { kind: 'unparseable' }, value: { encoding: 'utf8' } });
    expect(letter.value.value.data).toMatch(/^\{not json/);

    // The partitions behind the poison still flow: provisioning completes end to end.
    for (const n of [1, 2, 3]) {
      const user = await org.scim.post('/Users', newUser(`after-poison-${n}@example.com`));
      expect(user.status).toBe(201);
      expect(user.body['urn:roster:params:scim:schemas:extension:provisioning:1.0:User'].license).toBe(
        'org-free-license',
      );
    }
  } finally {
    await deadLetters.stop();
  }
});

test('a crash between publishing lifecycle events and recording it republishes them under the same ids (at-least-once)', async () => {
  const org = await setUpOrganization(stack);
  const received: LifecycleEvent[] = [];
  const subscription = await subscribeToLifecycle(
    stack.kafkaBrokers.split(','),
    `redelivery-${Date.now()}`,
    (event) => {
      received.push(event);
    },
  );
  const mongo = new MongoClient(stack.mongoUrl);
  const outcomes = await collect(stack.kafkaBrokers, 'roster.step-outcomes.v1');
  try {
    const created = await org.scim.post('/Users', newUser('ivy@example.com'));
    // The license event is decided by folding licensing's outcome (the command's own events
    // are fixed in its ledger entry and behave alike).
    const licensed = await waitFor(() =>
      received.find(
        (e) => e.subject === created.body.id && e.type === 'roster.lifecycle.user.license.changed.v1',
      ),
    );
    // The state a crash leaves between the publish and its record: the events went out, the
    // outbox entry still says unpublished. The outcome that decided them is then redelivered.
    const outbox = mongo
      .db('roster')
      .collection<{ _id: string; events: LifecycleEvent[]; published: boolean }>('lifecycle_outbox');
    const entry = await waitFor(() => outbox.findOne({ 'events.id': licensed.id }));
    await outbox.updateOne({ _id: entry._id }, { $set: { published: false }, $unset: { publishedAt: '' } });
    const outcome = await waitFor(() => outcomes.messages.find((m) => m.value?.id === entry._id));
    const producer = kafkaFor(stack.kafkaBrokers).producer();
    await producer.connect();
    await producer.send({
      topic: 'roster.step-outcomes.v1',
      acks: -1,
      messages: [
        {
          key: outcome.key,
          value: JSON.stringify(outcome.value),
          headers: outcome.headers,
          partition: outcome.partition,
        },
      ],
    });
    await producer.disconnect();

    const copiesOf = (id: string) => received.filter((e) => e.id === id);
    await waitFor(() => (entry.events.every((e) => copiesOf(e.id).length === 2) ? true : undefined), {
      what: 'the republished lifecycle events',
    });
    // Every copy is the same event: a subscriber deduping on `id` sees each change once.
    for (const event of entry.events) expect(copiesOf(event.id)).toEqual([event, event]);
    await waitFor(async () => ((await outbox.findOne({ _id: entry._id }))?.published ? true : undefined));
  } finally {
    await outcomes.stop();
    await subscription.stop();
    await mongo.close();
  }
});
