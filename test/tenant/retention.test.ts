import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@roster/test-support';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import { newOrganization } from '../src/org.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'roster-retention-'));
const LEDGER_SECONDS = 10;
// The ledger and the outbox expire within the test; the audit trail is kept an hour.
const SHORT_RETENTION = {
  MONGO_TTL_MONITOR_SECONDS: '1',
  ROSTER_LEDGER_RETENTION: `${LEDGER_SECONDS}s`,
  ROSTER_OUTBOX_RETENTION: `${LEDGER_SECONDS}s`,
  ROSTER_AUDIT_RETENTION: '1h',
};

let stack: RunningStack | undefined;
let mongo: MongoClient | undefined;
const start = async (env: Record<string, string>): Promise<Db> => {
  stack = await startStack(env, 90_000, dataDir);
  mongo = new MongoClient(stack.mongoUrl);
  return mongo.db('roster');
};
const stop = async () => {
  await mongo?.close();
  await stack?.stop();
  [mongo, stack] = [undefined, undefined];
};
afterEach(stop);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** expireAfterSeconds of the collection's retention index, or undefined without one. */
const retentionOf = async (db: Db, collection: string): Promise<number | undefined> => {
  const indexes = await db.collection(collection).listIndexes().toArray();
  return indexes.find((index) => index.name === 'retention')?.expireAfterSeconds;
};

describe('retention', () => {
  test('ledger and published outbox entries expire after their retention; the audit trail stays', async () => {
    const db = await start(SHORT_RETENTION);
    const org = await newOrganization(stack!);
    const created = await org.scim.post('/Users', newUser('short-lived@example.com'));
    expect(created.status).toBe(201);
    const userId: string = created.body.id;
    const ledger = db.collection('command_ledger');
    const outbox = db.collection('lifecycle_outbox');
    const audit = db.collection('audit');
    const ofUser = {
      ledger: { tenant: org.orgId, resourceId: userId },
      outbox: { 'events.subject': userId },
    };

    // Recorded (the answer came after the decision and the steps), with the dates retention counts from.
    const [entry] = await ledger.find(ofUser.ledger).toArray();
    expect(entry?.recordedAt).toBeInstanceOf(Date);
    const published = await waitFor(() => outbox.findOne({ ...ofUser.outbox, published: true }), {
      what: 'the provisioning lifecycle events published',
    });
    expect(published.publishedAt).toBeInstanceOf(Date);

    await waitFor(async () => (await ledger.countDocuments(ofUser.ledger)) === 0, {
      timeoutMs: 60_000,
      what: 'the ledger entry to expire',
    });
    await waitFor(async () => (await outbox.countDocuments(ofUser.outbox)) === 0, {
      timeoutMs: 60_000,
      what: 'the published outbox entries to expire',
    });
    // Kept for its own (longer) retention, and the admin API still shows it without the bookkeeping.
    expect(await audit.countDocuments({ tenant: org.orgId, resourceId: userId })).toBeGreaterThan(0);
    const trail = await org.admin.get(`/orgs/${org.orgId}/audit?userId=${userId}`);
    expect(trail.body.items.length).toBeGreaterThan(0);
    expect(trail.body.items[0]).not.toHaveProperty('recordedAt');
  });

  test('a changed retention takes effect on restart; `forever` removes the expiry', async () => {
    let db = await start({ ROSTER_AUDIT_RETENTION: '30d' });
    expect(await retentionOf(db, 'audit')).toBe(30 * 86_400);
    expect(await retentionOf(db, 'command_ledger')).toBe(14 * 86_400);
    expect(await retentionOf(db, 'lifecycle_outbox')).toBe(14 * 86_400);
    await stop();

    db = await start({ ROSTER_AUDIT_RETENTION: 'forever', ROSTER_LEDGER_RETENTION: '21d' });
    expect(await retentionOf(db, 'audit')).toBeUndefined();
    expect(await retentionOf(db, 'command_ledger')).toBe(21 * 86_400);
  });
});
