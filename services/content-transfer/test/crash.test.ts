import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PARTITIONS, waitFor } from '@roster/service-kit/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Infra, startInfra, stateOf, TestUser } from './support.ts';

const SERVICE_DIR = resolve(import.meta.dirname, '..');
const NODE = resolve(SERVICE_DIR, '../../node_modules/.bin/node');
const BATCH_SIZE = 40;
const TOTAL = 3_000 + Math.floor(Math.random() * 100);

let infra: Infra;
const children: ChildProcess[] = [];
const output = new Map<ChildProcess, string[]>();

/** Runs the service as its own process and resolves once it printed its READY line. */
const startChild = async (): Promise<ChildProcess> => {
  const child = spawn(NODE, ['src/main.ts'], {
    cwd: SERVICE_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KAFKA_BROKERS: infra.brokers,
      MONGO_URL: infra.mongoUrl,
      ROSTER_MONGO_DATABASE: infra.database,
      ROSTER_TOPIC_PARTITIONS: String(PARTITIONS),
      ROSTER_CONTENT_BATCH_SIZE: String(BATCH_SIZE),
      ROSTER_CONTENT_BATCH_DELAY_MS: '25',
      ROSTER_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      ROSTER_DEV_MODE: 'false',
      LOG_LEVEL: 'warn',
    },
  });
  children.push(child);
  const seen: string[] = [];
  output.set(child, seen);
  createInterface({ input: child.stderr! }).on('line', (line) => seen.push(line));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((ready, failed) => {
    child.once('exit', (code) => failed(new Error(`service exited with ${code} before READY`)));
    lines.on('line', (line) => {
      seen.push(line);
      if (!line.startsWith('READY ')) return;
      const details = JSON.parse(line.slice('READY '.length));
      if (details.service === 'content-transfer' && /^http:\/\/127\.0\.0\.1:\d+$/.test(details.ops)) ready();
      else failed(new Error(`unexpected READY line: ${line}`));
    });
  });
  return child;
};

/** SIGTERM: the service leaves its group cleanly (the next one does not wait for a session to expire). */
const terminate = async (child: ChildProcess): Promise<number | null> => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
};

const kill9 = async (child: ChildProcess) => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
};

beforeAll(async () => {
  infra = await startInfra();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await kill9(child);
  await infra?.close();
});

/**
 * A running service, an org with an admin and a departing user owning TOTAL items, and the
 * departing user's deactivation sent: resolves once the transfer moved some items but not all.
 */
const transferUnderWay = async (tenant: string) => {
  const child = await startChild();
  const admin = new TestUser(tenant, 'admin', { organizationAdmin: true });
  const departing = new TestUser(tenant, 'departing');
  await infra.apply(admin.change('provisioned'));
  await infra.apply(departing.change('provisioned'));
  await infra.seedItems(tenant, departing.id, TOTAL);
  const deactivation = departing.change('deactivated', { active: false });
  await infra.send(deactivation);
  const midway = await waitFor(
    async () => {
      const t = await infra.transfers.findOne({ tenant, userId: departing.id });
      return t && t.itemsMoved > 0 && t.itemsMoved < TOTAL ? t : undefined;
    },
    { what: 'the transfer under way' },
  );
  return { child, admin, departing, deactivation, midway };
};

test('killed mid-batch, restarted: every item moves exactly once and one done outcome ends it', async () => {
  const tenant = `org-crash-${process.pid}`;
  const underWay = await transferUnderWay(tenant);
  const { admin, departing, deactivation, midway } = underWay;
  let child = underWay.child;
  await kill9(child);
  const atKill = await infra.items.countDocuments({ tenant, ownerUserId: departing.id });
  expect(atKill).toBeGreaterThan(0);
  expect(midway.state).toBe('in_progress');
  expect(infra.outcomesOf(deactivation.data.commandId).some((o) => stateOf(o)?.state === 'done')).toBe(false);

  child = await startChild();
  const done = await infra.waitForOutcome(deactivation, 'done', 50_000);
  expect(stateOf(done)).toEqual({
    step: 'content-transfer',
    state: 'done',
    toUserId: admin.id,
    folder: departing.snapshot.email,
    itemsMoved: TOTAL,
  });

  const record = await infra.transfers.findOne({ tenant, userId: departing.id });
  expect(record).toMatchObject({ state: 'done', itemsMoved: TOTAL, lease: null });
  expect(await infra.items.countDocuments({ tenant })).toBe(TOTAL);
  expect(await infra.items.countDocuments({ tenant, ownerUserId: departing.id })).toBe(0);
  expect(
    await infra.items.countDocuments({ tenant, ownerUserId: admin.id, folder: departing.snapshot.email }),
  ).toBe(TOTAL);
  expect(await infra.items.countDocuments({ 'transfer.id': record!._id })).toBe(TOTAL);
  expect(await infra.transfers.countDocuments({ tenant, userId: departing.id })).toBe(1);

  // Give a straggling duplicate the time to show up, then check the outcome history.
  const quiet = Date.now() + 1_000;
  await waitFor(() => Date.now() > quiet, { what: 'a quiet second' });
  const states = infra.outcomesOf(deactivation.data.commandId).map((o) => stateOf(o)?.state);
  expect(states.filter((s) => s === 'done')).toHaveLength(1);
  expect(states.at(-1)).toBe('done');
  expect(states.every((s) => s === 'in_progress' || s === 'done')).toBe(true);
  expect(await terminate(child)).toBe(0);
}, 120_000);

test('SIGTERM mid-transfer stops between batches; the restarted service finishes it', async () => {
  const tenant = `org-term-${process.pid}`;
  const underWay = await transferUnderWay(tenant);
  const { admin, departing, deactivation } = underWay;
  let child = underWay.child;
  const stoppedAt = Date.now();
  expect(await terminate(child)).toBe(0);
  expect(Date.now() - stoppedAt).toBeLessThan(10_000);
  // it stopped between batches, not after the transfer (the shutdown interrupted it, see the log)
  expect(output.get(child)!.some((line) => line.includes('interrupted by shutdown'))).toBe(true);
  const interrupted = await infra.transfers.findOne({ tenant, userId: departing.id });
  expect(interrupted).toMatchObject({ state: 'in_progress' });
  expect(await infra.items.countDocuments({ tenant, ownerUserId: departing.id })).toBe(
    TOTAL - interrupted!.itemsMoved,
  );

  child = await startChild();
  const done = await infra.waitForOutcome(deactivation, 'done', 50_000);
  expect(stateOf(done)).toMatchObject({ toUserId: admin.id, itemsMoved: TOTAL });
  expect(await infra.items.countDocuments({ tenant, ownerUserId: departing.id })).toBe(0);
  expect(await infra.items.countDocuments({ tenant, ownerUserId: admin.id })).toBe(TOTAL);
  expect(await terminate(child)).toBe(0);
}, 120_000);
