import { waitFor } from '@roster/test-support';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newUser, PATCH_OP } from '../src/fixtures.ts';
import { collect, kafkaFor } from '../src/kafka.ts';
import { setUpOrganization, type TestOrg } from '../src/org.ts';
import { exitReports } from '../src/processes.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

const COMMANDS = 'roster.scim-commands.v1';
const RESULTS = 'roster.command-results.v1';
const DEAD_LETTERS = 'roster.dead-letter.v1';
const OUTCOMES = 'roster.step-outcomes.v1';

let stack: RunningStack;
let mongo: MongoClient;
let orgA: TestOrg;
let orgB: TestOrg;
beforeAll(async () => {
  // One partition per topic: every command shares the partition a poisoned one is on.
  stack = await startStack({ ROSTER_TOPIC_PARTITIONS: '1' });
  mongo = new MongoClient(stack.mongoUrl);
  await mongo.connect();
  [orgA, orgB] = [await setUpOrganization(stack), await setUpOrganization(stack)];
});
afterAll(async () => {
  await mongo?.close();
  await stack?.stop();
});

/** Produces one record with a plain kafkajs producer, as any client with access to the broker can. */
const produce = async (topic: string, key: string, value: string, compression?: CompressionTypes) => {
  const producer = kafkaFor(stack.kafkaBrokers).producer();
  await producer.connect();
  try {
    const [sent] = await producer.send({
      topic,
      messages: [{ key, value }],
      ...(compression ? { compression } : {}),
    });
    return sent!;
  } finally {
    await producer.disconnect();
  }
};

/** Reads `topic` from the beginning until `match` finds a message. */
const awaitMessage = async (topic: string, match: (value: any) => boolean, what: string) => {
  const reader = await collect(stack.kafkaBrokers, topic);
  try {
    return await waitFor(() => reader.messages.find((m) => match(m.value)), { what, timeoutMs: 30_000 });
  } finally {
    await reader.stop();
  }
};

test('a command that trips a broken invariant is dead-lettered with its origin, answered, and the partition moves on', async () => {
  const created = await orgA.scim.post('/Users', newUser('first@example.com'));
  expect(created.status).toBe(201);
  const original = await awaitMessage(
    COMMANDS,
    (command) => command.tenant === orgA.orgId && command.subject === created.body.id,
    "org A's create command",
  );
  // The same command id replayed for another organization: contract-valid, and it must never
  // answer org B with org A's decision.
  const replayed = { ...original.value, tenant: orgB.orgId };
  const sent = await produce(COMMANDS, `${orgB.orgId}:${replayed.subject}`, JSON.stringify(replayed));

  const letter = await awaitMessage(
    DEAD_LETTERS,
    (l) => l.origin?.topic === COMMANDS && l.origin.offset === sent.baseOffset,
    'the dead letter of the replayed command',
  );
  expect(letter.value).toMatchObject({
    consumerGroup: 'roster-status',
    origin: {
      topic: COMMANDS,
      partition: 0,
      offset: sent.baseOffset,
      key: `${orgB.orgId}:${replayed.subject}`,
    },
    error: { kind: 'failed', message: expect.stringContaining('InvariantViolation') },
    value: { encoding: 'utf8' },
  });
  expect(JSON.parse(letter.value.value.data).tenant).toBe(orgB.orgId);

  const answer = await awaitMessage(
    RESULTS,
    (r) => r.data?.commandId === replayed.id && r.data.response.status === 500,
    'the definite answer for the replayed command',
  );
  expect(answer.value.data.response.error.detail).toContain(`correlation id ${replayed.correlationid}`);

  // Next on the same partition: another organization's write is processed.
  const next = await orgB.scim.post('/Users', newUser('next@example.com'));
  expect(next.status).toBe(201);
  // org A's user is untouched by the replay.
  expect((await orgA.scim.get(`/Users/${created.body.id}`)).body.userName).toBe('first@example.com');
});

test('the waiting SCIM call of a command the directory cannot apply gets a definite 500 naming its correlation id', async () => {
  const created = await orgA.scim.post('/Users', newUser('corrupt@example.com'));
  expect(created.status).toBe(201);
  // A document no code path writes (a broken invariant in the store): handling it fails for good.
  await mongo
    .db('roster')
    .collection('users')
    .updateOne({ _id: created.body.id } as never, { $set: { resource: null } });

  const started = Date.now();
  const patched = await orgA.scim.patch(`/Users/${created.body.id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', path: 'displayName', value: 'Ada' }],
  });
  expect(patched.status).toBe(500);
  const correlationId = /correlation id ([0-9a-f-]{36})/.exec(patched.body.detail)?.[1];
  expect(correlationId).toBeDefined();
  // Answered by the status service, not by the ingress's deadline.
  expect(Date.now() - started).toBeLessThan(10_000);

  const letter = await awaitMessage(
    DEAD_LETTERS,
    (l) => l.origin?.topic === COMMANDS && l.value.data?.includes(correlationId),
    'the dead letter of the poisoned command',
  );
  expect(letter.value.error).toMatchObject({ kind: 'failed', message: expect.stringContaining('TypeError') });
  const audit = await orgA.admin.get(`/orgs/${orgA.orgId}/audit?userId=${created.body.id}`);
  expect(audit.body.items).toContainEqual(
    expect.objectContaining({ correlationId, result: 'rejected', status: 500 }),
  );

  expect((await orgB.scim.post('/Users', newUser('after-corrupt@example.com'))).status).toBe(201);
});

test('a consumer kafkajs gives up on ends its process with a non-zero code and the supervisor restarts it', async () => {
  const before = stack.output.filter((line) => line.startsWith('[status] READY')).length;
  // A batch compressed with a codec kafkajs has not registered (here: the test's own, labelled
  // snappy) cannot be decoded by the status service's consumer: kafkajs crashes it for good.
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: { buffer: Buffer }) => encoder.buffer,
    decompress: async (buffer: Buffer) => buffer,
  });
  await produce(OUTCOMES, 'crash', '{}', CompressionTypes.Snappy);

  await waitFor(
    () => (stack.output.some((line) => /^\[status\] exited \(1\); restarting/.test(line)) ? true : undefined),
    { what: 'the status process to exit with code 1 and be restarted', timeoutMs: 60_000 },
  );
  await waitFor(
    () =>
      stack.output.filter((line) => line.startsWith('[status] READY')).length > before ? true : undefined,
    { what: 'the restarted status process to be ready', timeoutMs: 60_000 },
  );
  expect(stack.output.some((line) => line.includes('a consumer crashed and will not restart'))).toBe(true);
  expect(exitReports(stack.output).every((line) => line.startsWith('[status]'))).toBe(true);
});
