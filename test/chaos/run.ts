/**
 * `npm run chaos`: provisions CHAOS_USERS (default 10,000) users into one organization as an IdP
 * would (creates, updates, group pushes, deprovisions of users who own content; retries honouring
 * Retry-After), while a driver SIGKILLs and SIGSTOPs random stack processes, the broker and the
 * store included. Then it waits for the stack to converge and checks every invariant over the admin
 * API and the lifecycle topic, prints the table and exits non-zero on any violation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@roster/test-support';
import { ingressUrlOf } from '../src/fixtures.ts';
import { collect } from '../src/kafka.ts';
import { setUpOrganization } from '../src/org.ts';
import { stopStackOnSignals } from '../src/processes.ts';
import { startStack } from '../src/stack.ts';
import { ChaosDriver } from './driver.ts';
import { RetryingIdp } from './idp.ts';
import { checkInvariants, type LifecycleEvent } from './invariants.ts';
import { AUTO_CAPTURED_DOMAIN, DEFAULT_LICENSE, WORKSPACES } from './plan.ts';
import { provisionAll } from './provision.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const users = Number(process.env.CHAOS_USERS ?? 10_000);
const minimumKills = Number(process.env.CHAOS_MIN_KILLS ?? 20);
const killIntervalMs = Number(process.env.CHAOS_INTERVAL_MS ?? 20_000);
const CONVERGENCE_DEADLINE_MS = 300_000;

const dataDir = mkdtempSync(join(tmpdir(), 'roster-chaos-'));
log(`chaos: ${users} users, data dir ${dataDir}`);
const stack = await startStack({}, 120_000, dataDir);
stopStackOnSignals(stack);
let violations: string[] = [];
try {
  const org = await setUpOrganization(stack, {
    workspaces: [...WORKSPACES],
    domains: [AUTO_CAPTURED_DOMAIN],
    autoCapture: true,
    defaultLicense: DEFAULT_LICENSE,
  });
  const token = (await org.admin.post(`/orgs/${org.orgId}/scim-tokens`, {})).body.token as string;
  const scim = new RetryingIdp(stack.scimBaseUrl, token);
  const admin = new RetryingIdp(`${ingressUrlOf(stack)}/admin/v1`, stack.adminToken, 'application/json');

  const started = Date.now();
  const driver = new ChaosDriver(stack, killIntervalMs);
  driver.start();
  const acknowledged = await provisionAll({ scim, admin, orgId: org.orgId, concurrency: 16, log }, users);
  log(`provisioned in ${Math.round((Date.now() - started) / 1000)} s; ${driver.counters.kills} kills so far`);
  // A killed consumer is READY again once its group rebalanced, which waits for the dead member's
  // session to time out (30 s): the kills still missing take up to that and an interval each.
  const killsMissing = Math.max(0, minimumKills - driver.counters.kills);
  await waitFor(() => driver.counters.kills >= minimumKills, {
    timeoutMs: 600_000 + killsMissing * (30_000 + 2 * killIntervalMs),
    what: `${minimumKills} kills`,
  });
  const chaos = await driver.stop();

  log('waiting for the lifecycle topic to go quiet');
  const lifecycle = await collect(stack.kafkaBrokers, 'roster.lifecycle.v1');
  const events = (): LifecycleEvent[] => {
    const byId = new Map<string, LifecycleEvent>();
    for (const { value } of lifecycle.messages)
      if (value?.tenant === org.orgId && !byId.has(value.id)) byId.set(value.id, value);
    return [...byId.values()];
  };
  // Quiet: no new event (by id) for 10 s; redeliveries after a rebalance do not count.
  let seen = -1;
  await waitFor(
    async () => {
      const now = events().length;
      log(`  ${now} distinct lifecycle events (${lifecycle.messages.length} delivered)`);
      if (now === seen && now > 0) return true;
      seen = now;
      await sleep(10_000);
      return undefined;
    },
    { timeoutMs: CONVERGENCE_DEADLINE_MS, what: 'the lifecycle topic to go quiet' },
  ).catch(() => log('the lifecycle topic did not go quiet; checking anyway'));

  const checked = await checkInvariants(
    { scim, admin, orgId: org.orgId, oldestAdminId: acknowledged[0]!.id!, lifecycle: events },
    acknowledged,
    CONVERGENCE_DEADLINE_MS,
  );
  await lifecycle.stop();
  const unacknowledged = acknowledged.flatMap((u) =>
    u.unacknowledged.map((why) => `${u.planned.userName}: ${why}`),
  );
  violations = [
    ...checked.violations,
    ...unacknowledged.map((line) => `write never acknowledged: ${line}`),
    ...chaos.notRestarted.map((name) => `${name} was not restarted after a kill`),
  ];
  const counters = [scim.counters, admin.counters].reduce((sum, c) => ({
    requests: sum.requests + c.requests,
    retries: sum.retries + c.retries,
    tooManyRequests: sum.tooManyRequests + c.tooManyRequests,
    unavailable: sum.unavailable + c.unavailable,
    otherServerErrors: sum.otherServerErrors + c.otherServerErrors,
    networkErrors: sum.networkErrors + c.networkErrors,
    gaveUp: sum.gaveUp + c.gaveUp,
    serverErrors: { ...sum.serverErrors, ...c.serverErrors },
  }));

  log('');
  log(
    '| users | requests | kills | SIGSTOPs | 429s | 503s | other 5xx | network errors | retries | unacknowledged | violations | minutes |',
  );
  log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  log(
    `| ${users} | ${counters.requests} | ${chaos.kills} | ${chaos.stops} | ${counters.tooManyRequests} | ${counters.unavailable} | ${counters.otherServerErrors} | ${counters.networkErrors} | ${counters.retries} | ${unacknowledged.length} | ${violations.length} | ${((Date.now() - started) / 60_000).toFixed(1)} |`,
  );
  log(
    `kills per process: ${JSON.stringify(chaos.killed)}; ${checked.checked} users checked, ${checked.skipped} skipped`,
  );
  log(`5xx answers: ${JSON.stringify(counters.serverErrors)}`);
  for (const line of unacknowledged.slice(0, 20)) log(`UNACKNOWLEDGED ${line}`);
  for (const line of violations.slice(0, 50)) log(`VIOLATION ${line}`);
  if (violations.length > 50) log(`… and ${violations.length - 50} more violations`);
} finally {
  await stack.stop();
}
if (violations.length === 0) rmSync(dataDir, { recursive: true, force: true });
else log(`data kept in ${dataDir}`);
process.exit(violations.length === 0 ? 0 : 1);
