import { waitFor } from '@roster/test-support';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ingressUrlOf, newUser } from '../src/fixtures.ts';
import { kafkaFor } from '../src/kafka.ts';
import { newOrganization } from '../src/org.ts';
import { stackProcess } from '../src/processes.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

let stack: RunningStack;
let admin: Admin;
beforeAll(async () => {
  stack = await startStack();
  admin = kafkaFor(stack.kafkaBrokers).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await stack?.stop();
});

const ingressGroups = async () =>
  (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith('roster-ingress-'));

/** Kills the ingress with `signal` and waits until the supervisor's new one answers. */
const restartIngress = async (signal: NodeJS.Signals) => {
  const before = stackProcess(stack.pid, 'ingress');
  if (!before) throw new Error('no ingress running');
  process.kill(before.pid, signal);
  await waitFor(
    async () => {
      const now = stackProcess(stack.pid, 'ingress');
      return now && now.pid !== before.pid && (await fetch(`${ingressUrlOf(stack)}/healthz`)).ok;
    },
    { timeoutMs: 60_000, what: `a new ingress after ${signal}` },
  );
};

test('restarting the ingress (stopped or killed) leaves no consumer group behind', async () => {
  const org = await newOrganization(stack);
  const groups = await ingressGroups();
  expect(groups).toHaveLength(1);

  for (const [i, signal] of (['SIGTERM', 'SIGTERM', 'SIGKILL', 'SIGTERM'] as const).entries()) {
    await restartIngress(signal);
    // The new replica sees the results of its own calls.
    expect((await org.scim.post('/Users', newUser(`restart-${i}@example.com`))).status).toBe(201);
  }
  expect(await ingressGroups()).toEqual(groups);
});
