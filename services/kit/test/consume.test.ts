import { TOPICS, toKafkaRecord } from '@roster/contracts';
import { MongoNetworkError } from 'mongodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningConsumer, runConsumer } from '../src/kafka/consume.ts';
import { InvariantViolation } from '../src/kafka/failure.ts';
import { createLogger } from '../src/log.ts';
import {
  collectDeadLetters,
  createProducer,
  type EmbeddedInfra,
  snapshot,
  startEmbeddedInfra,
  userChanged,
  waitFor,
} from '../src/testing/index.ts';

let infra: EmbeddedInfra;
beforeAll(async () => {
  // One partition: the poisoned message sits between the others on it.
  infra = await startEmbeddedInfra('kit-consume', {
    keys: ['directoryChanges', 'deadLetter'],
    partitions: 1,
  });
});
afterAll(async () => {
  await infra?.close();
});

test('a permanent failure is answered and dead-lettered and the partition moves on; a transient one is retried, never skipped', async () => {
  const handled: string[] = [];
  const poisoned: { id: string; error: unknown }[] = [];
  let flakyFailures = 0;
  const consumer: RunningConsumer = await runConsumer({
    kafka: infra.kafka,
    log: createLogger('kit-consume-test', 'silent'),
    groupId: 'kit-consume-test',
    topic: 'directoryChanges',
    handle: async (change) => {
      const id = change.subject;
      if (id === 'poison') throw new InvariantViolation('this user must not exist');
      if (id === 'flaky' && flakyFailures++ < 2) throw new MongoNetworkError('store unreachable');
      handled.push(id);
    },
    onPoison: async (change, error) => void poisoned.push({ id: change.subject, error }),
  });
  const deadLetters = await collectDeadLetters(infra.kafka);
  const producer = await createProducer(infra.kafka);
  try {
    await consumer.ready;
    const changes = ['flaky', 'poison', 'after'].map((id) => userChanged('org-1', 1, snapshot(id)));
    const [sent] = await producer.send({
      topic: TOPICS.directoryChanges.name,
      acks: -1,
      messages: changes.map(toKafkaRecord),
    });

    await waitFor(() => (handled.includes('after') ? true : undefined), {
      what: 'the message after the poisoned one',
    });
    expect(handled).toEqual(['flaky', 'after']);
    expect(flakyFailures).toBe(3);
    expect(poisoned.map((p) => p.id)).toEqual(['poison']);
    expect(poisoned[0]!.error).toBeInstanceOf(InvariantViolation);

    const letter = await waitFor(() => deadLetters.messages[0], { what: 'the dead letter' });
    expect(deadLetters.messages).toHaveLength(1);
    expect(letter).toMatchObject({
      consumerGroup: 'kit-consume-test',
      origin: {
        topic: TOPICS.directoryChanges.name,
        partition: 0,
        offset: String(Number(sent!.baseOffset) + 1),
        key: 'org-1:poison',
      },
      error: { kind: 'failed', message: 'InvariantViolation: this user must not exist' },
      value: { encoding: 'utf8' },
    });
    expect(JSON.parse(letter.value.data!).subject).toBe('poison');
  } finally {
    await producer.disconnect();
    await deadLetters.stop();
    await consumer.stop();
  }
});

test('every line logged while a message is handled names its tenant and correlation id', async () => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('kit-consume-test', 'info', {
    write: (line: string) => void lines.push(JSON.parse(line)),
  });
  const consumer = await runConsumer({
    kafka: infra.kafka,
    log,
    groupId: 'kit-consume-log-test',
    topic: 'directoryChanges',
    // A handler's own logger, as services hand them down: the fields come from the message being handled.
    handle: async (change) => log.info({ userId: change.subject }, 'handled'),
  });
  const producer = await createProducer(infra.kafka);
  try {
    await consumer.ready;
    const change = userChanged('org-logs', 1, snapshot('logged'));
    await producer.send({ topic: TOPICS.directoryChanges.name, acks: -1, messages: [toKafkaRecord(change)] });
    const line = await waitFor(() => lines.find((l) => l.msg === 'handled' && l.userId === 'logged'), {
      what: 'the handler’s log line',
    });
    expect(line).toMatchObject({
      tenant: 'org-logs',
      correlationid: change.correlationid,
    });
    log.info('outside any message');
    expect(lines.at(-1)).not.toHaveProperty('tenant');
    expect(lines.at(-1)).not.toHaveProperty('correlationid');
  } finally {
    await producer.disconnect();
    await consumer.stop();
  }
});
