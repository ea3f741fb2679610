import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import { scimClient } from '../src/scim-client.ts';
import { startStack } from '../src/stack.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'roster-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('the stack stops cleanly and a restart on the same data dir keeps every write and the demo credentials', async () => {
  const first = await startStack({}, 90_000, dataDir);
  const credentialsFile = join(dataDir, 'dev-credentials.json');
  expect(JSON.parse(readFileSync(credentialsFile, 'utf8'))).toMatchObject({
    scimToken: first.scimToken,
    orgId: first.orgId,
    adminToken: first.adminToken,
  });
  const demo = scimClient(first.scimBaseUrl, first.scimToken);
  const created = await demo.post('/Users', newUser('persistent@example.com'));
  expect(created.status).toBe(201);
  await first.stop();
  expect(first.exitCode()).toBe(0);
  expect(existsSync(join(dataDir, 'kafka'))).toBe(true);

  const second = await startStack({}, 90_000, dataDir);
  try {
    expect({ orgId: second.orgId, scimToken: second.scimToken, adminToken: second.adminToken }).toEqual({
      orgId: first.orgId,
      scimToken: first.scimToken,
      adminToken: first.adminToken,
    });
    const again = scimClient(second.scimBaseUrl, second.scimToken);
    const read = await again.get(`/Users/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe('persistent@example.com');
    // And the pipeline still works end to end after the restart.
    expect((await again.post('/Users', newUser('after-restart@example.com'))).status).toBe(201);
  } finally {
    await second.stop();
  }
});
