/**
 * The status service's shell — command handler, ledger, outcome fold — against the embedded broker
 * and store: commands and outcomes go in through kafkajs, what comes out is read from the topics
 * and, with the mongodb driver, from the collections the service owns.
 */
import { randomUUID } from 'node:crypto';
import {
  AUDIT_COLLECTION,
  type AuditEntry,
  type Command,
  type CommandResult,
  envelope,
  type LifecycleEvent,
  type StepOutcome,
  TOPICS,
  toKafkaRecord,
  USERS_COLLECTION,
  type UserChanged,
  type UserDocument,
} from '@roster/contracts';
import { createLogger, createPublisher, OrganizationSettings, systemClock } from '@roster/service-kit';
import {
  type Collector,
  collect,
  createOrganization,
  createProducer,
  type EmbeddedInfra,
  newTraceparent,
  startEmbeddedInfra,
  waitFor,
} from '@roster/service-kit/testing';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadRetention } from '../../src/config.ts';
import { recordDecision } from '../../src/handlers/record-decision.ts';
import { handleScimCommands } from '../../src/handlers/scim-command.ts';
import { type RunningStatus, startStatus } from '../../src/service.ts';
import { AuditTrail } from '../../src/store/audit-trail.ts';
import { DecisionCommits } from '../../src/store/decision-commit.ts';
import { GroupsDirectory } from '../../src/store/groups.ts';
import { CommandLedger, LEDGER_COLLECTION, type LedgerEntry } from '../../src/store/ledger.ts';
import { UsersDirectory } from '../../src/store/users.ts';

let infra: EmbeddedInfra;
let status: RunningStatus;
let producer: Producer;
let results: Collector<CommandResult>;
let changes: Collector<UserChanged>;
let lifecycle: Collector<LifecycleEvent>;
let tenant: string;

beforeAll(async () => {
  infra = await startEmbeddedInfra('status');
  tenant = (await createOrganization(infra.db))._id;
  // Creates wait for licensing, as under `npm start`; other commands answer once decided.
  status = await startStatus(
    { ...infra.baseConfig, awaits: ['licensing'], retention: loadRetention({}) },
    createLogger('status', process.env.LOG_LEVEL ?? 'silent'),
  );
  producer = await createProducer(infra.kafka);
  [results, changes, lifecycle] = await Promise.all([
    collect<CommandResult>(infra.kafka, TOPICS.commandResults.name),
    collect<UserChanged>(infra.kafka, TOPICS.directoryChanges.name),
    collect<LifecycleEvent>(infra.kafka, TOPICS.lifecycle.name),
  ]);
});

afterAll(async () => {
  await Promise.all([results?.stop(), changes?.stop(), lifecycle?.stop()]);
  await producer?.disconnect();
  await status?.stop();
  await infra?.close();
});

const actor = { kind: 'scim-token' as const, id: 'token-1' };

const createUser = (userName: string, displayName?: string) =>
  envelope(
    'roster.command.user.create.v1',
    {
      source: '/test',
      tenant,
      subject: randomUUID(),
      correlationid: randomUUID(),
      traceparent: newTraceparent(),
    },
    {
      actor,
      user: {
        userName,
        active: true,
        emails: [{ value: userName, primary: true }],
        ...(displayName ? { displayName } : {}),
      },
    },
  );

const deactivate = (userId: string, ifMatch?: string): Command =>
  envelope(
    'roster.command.user.deactivate.v1',
    { source: '/test', tenant, subject: userId, correlationid: randomUUID(), traceparent: newTraceparent() },
    { actor, ...(ifMatch ? { ifMatch } : {}) },
  );

/**
 * Proves every earlier command about `userId` was handled: a command refused at once (stale
 * If-Match) on the same key, hence the same partition, is answered only after them.
 */
const commandsHandled = async (userId: string) => {
  const marker = deactivate(userId, 'W/"999"');
  await send(TOPICS.scimCommands.name, [marker]);
  await resultOf(marker);
};

const send = async (topic: string, messages: Parameters<typeof toKafkaRecord>[0][]) => {
  await producer.send({ topic, acks: -1, messages: messages.map(toKafkaRecord) });
};

/** The licensing step's report on the directory change a command caused. */
const outcome = (
  change: UserChanged,
  report: Pick<StepOutcome['data'], 'step' | 'result' | 'reason' | 'state'>,
): StepOutcome =>
  envelope(
    'roster.outcome.step.v1',
    {
      source: `/roster/${report.step}`,
      tenant,
      subject: change.subject,
      correlationid: change.correlationid,
      causationid: change.id,
    },
    {
      commandId: change.data.commandId,
      resource: { type: 'User', id: change.subject, sequence: change.data.sequence },
      ...report,
    },
  );

/** The licensing step's report on the directory change a command caused. */
const licensed = (change: UserChanged, result: 'succeeded' | 'rejected' = 'succeeded'): StepOutcome =>
  outcome(change, {
    step: 'licensing',
    result,
    ...(result === 'rejected'
      ? { reason: { code: 'seat_limit', message: 'no org-full-license seat left' } }
      : {}),
    state: { step: 'licensing', license: result === 'succeeded' ? 'org-free-license' : null, role: 'member' },
  });

/** The membership step's report: the user is in the Everyone workspace. */
const joinedEveryone = (change: UserChanged): StepOutcome =>
  outcome(change, {
    step: 'membership',
    result: 'succeeded',
    state: { step: 'membership', workspaces: [{ id: 'ws-everyone', name: 'Everyone' }] },
  });

const resultOf = (command: Command) =>
  waitFor(() => results.messages.find((r) => r.data.commandId === command.id), { what: 'command result' });
const changeOf = (command: Command) =>
  waitFor(
    () =>
      changes.messages.find(
        (c) => c.type === 'roster.directory.user.changed.v1' && c.data.commandId === command.id,
      ),
    { what: 'directory change' },
  );
const ledger = () => infra.db.collection<LedgerEntry>(LEDGER_COLLECTION);
const audit = () => infra.db.collection<AuditEntry>(AUDIT_COLLECTION);
const user = (id: string) => infra.db.collection<UserDocument>(USERS_COLLECTION).findOne({ _id: id });

describe('a command', () => {
  test('is decided once into the ledger, written, audited, announced, and answered once its steps report', async () => {
    const create = createUser('ada@example.com');
    await send(TOPICS.scimCommands.name, [create]);
    const change = await changeOf(create);
    expect(change.data).toMatchObject({ change: 'provisioned', sequence: 1, awaits: ['licensing'] });
    expect(await user(create.subject)).toMatchObject({ resource: { userName: 'ada@example.com' } });
    // Nothing answers the SCIM call before licensing reported.
    expect(results.messages.some((r) => r.data.commandId === create.id)).toBe(false);

    await send(TOPICS.stepOutcomes.name, [licensed(change)]);
    const result = await resultOf(create);
    expect(result.data.response).toMatchObject({ status: 201, document: { _id: create.subject } });
    expect(await ledger().findOne({ _id: create.id })).toMatchObject({ published: true, completed: true });
    expect(await audit().countDocuments({ _id: create.id, kind: 'command', result: 'accepted' })).toBe(1);
  });

  test('redelivered once handled, it changes nothing twice and publishes nothing again', async () => {
    const create = createUser('grace@example.com');
    await send(TOPICS.scimCommands.name, [create]);
    const first = await changeOf(create);
    await send(TOPICS.scimCommands.name, [create]);
    await commandsHandled(create.subject);
    expect(changes.messages.filter((c) => c.data.commandId === create.id)).toEqual([first]);
    expect(await ledger().countDocuments({ _id: create.id })).toBe(1);
    expect((await user(create.subject))?.meta.version).toBe(1);
    expect(await audit().countDocuments({ _id: create.id })).toBe(1);
  });

  test('decided and committed when the service crashed, its redelivery only publishes what was recorded', async () => {
    const create = createUser('barbara@example.com');
    // What a delivery that crashed right after the commit left: the user and the unpublished entry.
    const stores = {
      users: new UsersDirectory(infra.db),
      groups: new GroupsDirectory(infra.db, createLogger('status', 'silent')),
      ledger: new CommandLedger(infra.db, undefined),
    };
    const recorded = await recordDecision(
      {
        ...stores,
        commits: new DecisionCommits(infra.mongo, stores),
        organizations: new OrganizationSettings(infra.db),
        awaits: ['licensing'],
        clock: systemClock,
      },
      create,
    );
    expect(recorded).toMatchObject({ published: false, resourceId: create.subject });

    await send(TOPICS.scimCommands.name, [create]);
    const change = await changeOf(create);
    expect(change.data).toMatchObject({ change: 'provisioned', sequence: 1 });
    await commandsHandled(create.subject);
    expect(await ledger().findOne({ _id: create.id })).toMatchObject({
      published: true,
      recordedAt: recorded.recordedAt,
    });
    expect((await user(create.subject))?.meta.version).toBe(1);
    expect(changes.messages.filter((c) => c.data.commandId === create.id)).toHaveLength(1);
  });

  test('a refused command is recorded and answered with its SCIM error, and writes nothing', async () => {
    const missing = deactivate(randomUUID());
    await send(TOPICS.scimCommands.name, [missing]);
    const result = await resultOf(missing);
    expect(result.data.response).toMatchObject({
      status: 404,
      error: { detail: `User ${missing.subject} not found` },
    });
    expect(await ledger().findOne({ _id: missing.id })).toMatchObject({ response: { status: 404 } });
    expect(await user(missing.subject)).toBeNull();
    expect(await audit().findOne({ _id: missing.id })).toMatchObject({ result: 'rejected', status: 404 });
  });
});

describe('a batch of commands', () => {
  const replaceUser = (userId: string, userName: string): Command =>
    envelope(
      'roster.command.user.replace.v1',
      {
        source: '/test',
        tenant,
        subject: userId,
        correlationid: randomUUID(),
        traceparent: newTraceparent(),
      },
      { actor, user: { userName, active: true, emails: [{ value: userName, primary: true }] } },
    );
  const stores = () => ({
    users: new UsersDirectory(infra.db),
    groups: new GroupsDirectory(infra.db, createLogger('status', 'silent')),
    ledger: new CommandLedger(infra.db, undefined),
    audit: new AuditTrail(infra.db, undefined),
  });
  const processDeps = async (
    commits = (s: ReturnType<typeof stores>) => new DecisionCommits(infra.mongo, s),
  ) => {
    const s = stores();
    return {
      ...s,
      commits: commits(s),
      organizations: new OrganizationSettings(infra.db),
      awaits: [],
      clock: systemClock,
      publisher: await createPublisher(infra.kafka),
    };
  };
  const statusOf = async (command: Command) => (await resultOf(command)).data.response.status;

  test('is decided in order, each command seeing what the ones before it decided, and committed together', async () => {
    const ada = createUser(`ada-${randomUUID()}@example.com`);
    const grace = `grace-${randomUUID()}@example.com`;
    const renamed = replaceUser(ada.subject, grace);
    // ada's old userName is free again after the rename, grace's is taken by her.
    const newAda = createUser(ada.data.user.userName);
    // Not an identical repeat of grace's create: a uniqueness conflict.
    const clash = createUser(grace, 'Someone else');
    const leaves = deactivate(ada.subject);
    const deps = await processDeps();
    try {
      await handleScimCommands(deps, [ada, renamed, newAda, clash, leaves, ada]);
    } finally {
      await deps.publisher.close();
    }
    expect(await Promise.all([ada, renamed, newAda, clash, leaves].map(statusOf))).toEqual([
      201, 200, 201, 409, 200,
    ]);
    expect(results.messages.filter((r) => r.data.commandId === ada.id)).toHaveLength(1);
    expect(await user(ada.subject)).toMatchObject({
      resource: { userName: grace, active: false },
      meta: { version: 3 },
    });
    expect(await user(newAda.subject)).toMatchObject({ resource: { userName: ada.data.user.userName } });
    expect(await user(clash.subject)).toBeNull();
    expect(
      await audit().countDocuments({ _id: { $in: [ada, renamed, newAda, clash, leaves].map((c) => c.id) } }),
    ).toBe(5);
  });

  test('refused as a whole when another writer changed a user meanwhile, it is decided again command by command', async () => {
    const ada = createUser(`ada-${randomUUID()}@example.com`);
    const first = await processDeps();
    try {
      await handleScimCommands(first, [ada]);
    } finally {
      await first.publisher.close();
    }
    const grace = `grace-${randomUUID()}@example.com`;
    const [renamed, leaves] = [replaceUser(ada.subject, grace), deactivate(ada.subject)];
    // Another replica renames ada between this batch's decisions and its commit.
    const elsewhere = `elsewhere-${randomUUID()}@example.com`;
    let raced = false;
    const racing = await processDeps((s) => {
      const real = new DecisionCommits(infra.mongo, s);
      return Object.assign(Object.create(real), {
        commitAll: async (...args: Parameters<DecisionCommits['commitAll']>) => {
          if (!raced) {
            raced = true;
            await infra.db.collection<UserDocument>(USERS_COLLECTION).updateOne(
              { _id: ada.subject },
              {
                $set: { 'resource.userName': elsewhere, userNameKey: elsewhere },
                $inc: { 'meta.version': 1 },
              },
            );
          }
          return real.commitAll(...args);
        },
      });
    });
    try {
      await handleScimCommands(racing, [renamed, leaves]);
    } finally {
      await racing.publisher.close();
    }
    expect(await Promise.all([renamed, leaves].map(statusOf))).toEqual([200, 200]);
    expect(await user(ada.subject)).toMatchObject({
      resource: { userName: grace, active: false },
      meta: { version: 4 },
    });
  });
});

describe('a step outcome', () => {
  test('folds into the provisioning view and announces each real change exactly once', async () => {
    const create = createUser('alan@example.com');
    await send(TOPICS.scimCommands.name, [create]);
    const change = await changeOf(create);
    const license = licensed(change);
    // The same outcome twice (a redelivery), then another outcome of the user on the same partition.
    await send(TOPICS.stepOutcomes.name, [license, license, joinedEveryone(change)]);
    await resultOf(create);
    const eventsOfUser = () => lifecycle.messages.filter((e) => e.subject === create.subject);
    await waitFor(() => eventsOfUser().some((e) => e.type === 'roster.lifecycle.user.workspace.added.v1'), {
      what: 'the workspace event, folded after the redelivered license outcome',
    });
    expect(eventsOfUser().filter((e) => e.type === 'roster.lifecycle.user.license.changed.v1')).toHaveLength(
      1,
    );
    expect(await user(create.subject)).toMatchObject({
      provisioning: { license: 'org-free-license', workspaces: [{ id: 'ws-everyone', name: 'Everyone' }] },
    });
    expect(await audit().countDocuments({ _id: license.id })).toBe(1);
  });

  test('a step reporting again under the same outcome id with a newer state has its changes announced (found by chaos)', async () => {
    // Membership crashed before committing its offset, then handled the change again together
    // with the user's deactivation, and reported the state it converged to: no workspace.
    const create = createUser('revised@example.com');
    await send(TOPICS.scimCommands.name, [create]);
    const change = await changeOf(create);
    const joined = joinedEveryone(change);
    await send(TOPICS.stepOutcomes.name, [licensed(change), joined]);
    await resultOf(create);
    const revised = {
      ...joined,
      data: { ...joined.data, state: { step: 'membership' as const, workspaces: [] } },
    };
    await send(TOPICS.stepOutcomes.name, [revised, revised]);
    const workspaceEvents = () =>
      lifecycle.messages
        .filter((e) => e.subject === create.subject && e.type.startsWith('roster.lifecycle.user.workspace.'))
        .map((e) => e.type);
    await waitFor(() => workspaceEvents().length === 2, { what: 'the workspace removal announced' });
    expect(workspaceEvents()).toEqual([
      'roster.lifecycle.user.workspace.added.v1',
      'roster.lifecycle.user.workspace.removed.v1',
    ]);
    expect(await user(create.subject)).toMatchObject({ provisioning: { workspaces: [] } });
    // Delivered once more, the revision is announced once (the outcome after it, on the same
    // partition, proves the duplicate was handled first).
    await send(TOPICS.stepOutcomes.name, [
      revised,
      joinedEveryone({ ...change, data: { ...change.data, sequence: 1 } }),
    ]);
    await waitFor(() => workspaceEvents().length === 3, { what: 'the workspace added again' });
    expect(workspaceEvents().filter((t) => t.endsWith('removed.v1'))).toHaveLength(1);
  });

  test('outcomes of many users arriving together are folded, announced and answered as a batch', async () => {
    const creates = Array.from({ length: 8 }, (_, i) => createUser(`batch-${i}@example.com`));
    await send(TOPICS.scimCommands.name, creates);
    const changed = await Promise.all(creates.map(changeOf));
    // One send: the outcomes sit together on their partitions and are fetched as batches.
    await send(TOPICS.stepOutcomes.name, [
      ...changed.map((c) => licensed(c)),
      ...changed.map(joinedEveryone),
    ]);
    for (const create of creates) {
      const result = await resultOf(create);
      expect(result.data.response).toMatchObject({
        status: 201,
        document: { _id: create.subject, provisioning: { license: 'org-free-license' } },
      });
      expect(results.messages.filter((r) => r.data.commandId === create.id)).toHaveLength(1);
      expect(await user(create.subject)).toMatchObject({
        provisioning: { license: 'org-free-license', workspaces: [{ id: 'ws-everyone', name: 'Everyone' }] },
      });
    }
    const announced = (type: string) =>
      creates.map((c) => lifecycle.messages.filter((e) => e.subject === c.subject && e.type === type).length);
    await waitFor(
      () => (announced('roster.lifecycle.user.workspace.added.v1').every((n) => n > 0) ? true : undefined),
      { what: 'every workspace event' },
    );
    expect(announced('roster.lifecycle.user.license.changed.v1')).toEqual(creates.map(() => 1));
    expect(announced('roster.lifecycle.user.workspace.added.v1')).toEqual(creates.map(() => 1));
    expect(
      await audit().countDocuments({ kind: 'outcome', resourceId: { $in: creates.map((c) => c.subject) } }),
    ).toBe(2 * creates.length);
  });

  test('a refusal answers the waiting call with a 409 the org admin can read', async () => {
    const create = createUser('edsger@example.com');
    await send(TOPICS.scimCommands.name, [create]);
    await send(TOPICS.stepOutcomes.name, [licensed(await changeOf(create), 'rejected')]);
    const result = await resultOf(create);
    expect(result.data.response).toMatchObject({
      status: 409,
      error: { detail: 'no org-full-license seat left' },
    });
    expect(await ledger().findOne({ _id: create.id })).toMatchObject({ completed: true });
  });
});

describe('a message that cannot be handled', () => {
  test('a poisoned step outcome answers the waiting call with a 500 naming the correlation id, and the consumer moves on', async () => {
    const create = createUser('kurt@example.com');
    await send(TOPICS.scimCommands.name, [create]);
    const change = await changeOf(create);
    // A user document no code path writes: folding the license into it fails for good.
    await infra.db
      .collection<UserDocument>(USERS_COLLECTION)
      .updateOne({ _id: create.subject }, { $set: { resource: null as never } });
    const poisoned = licensed(change);
    const next = createUser('alonzo@example.com');
    await send(TOPICS.stepOutcomes.name, [poisoned]);
    const result = await resultOf(create);
    expect(result.data.response).toMatchObject({
      status: 500,
      error: { detail: expect.stringContaining(`correlation id ${poisoned.correlationid}`) },
    });
    expect(await ledger().findOne({ _id: create.id })).toMatchObject({ completed: true });

    await send(TOPICS.scimCommands.name, [next]);
    await send(TOPICS.stepOutcomes.name, [licensed(await changeOf(next))]);
    expect((await resultOf(next)).data.response.status).toBe(201);
  });

  test('a poisoned outcome arriving with others is isolated: it alone answers 500, the others are folded and answered', async () => {
    const creates = Array.from({ length: 6 }, (_, i) => createUser(`among-${i}@example.com`));
    await send(TOPICS.scimCommands.name, creates);
    const changed = await Promise.all(creates.map(changeOf));
    const poisonedUser = creates[2]!;
    await infra.db
      .collection<UserDocument>(USERS_COLLECTION)
      .updateOne({ _id: poisonedUser.subject }, { $set: { resource: null as never } });
    await send(
      TOPICS.stepOutcomes.name,
      changed.map((c) => licensed(c)),
    );
    for (const create of creates) {
      const result = await resultOf(create);
      expect(result.data.response.status).toBe(create === poisonedUser ? 500 : 201);
    }
  });
});
