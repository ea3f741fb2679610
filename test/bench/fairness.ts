/**
 * `npm run bench:fairness`: does one organization's flood leave another's writes alone?
 *   1. organization B alone: B_WRITES `POST /Users` from 2 clients (an IdP's pace) → B's p99,
 *   2. the same while organization A floods `POST /Users` from many clients → B's p99 under load,
 *      A's accepted writes and its 429s.
 * Repeated `--runs` times on one stack with the default tenant limits; prints each run and the
 * median ratio of B's loaded p99 to its idle p99 (the goal: at most 2). A's clients wait out
 * `Retry-After` as Okta and Entra do; `--hostile` makes them retry at once instead.
 */
import { newUser } from '../src/fixtures.ts';
import { setUpOrganization } from '../src/org.ts';
import type { ScimClient } from '../src/scim-client.ts';
import { startStack } from '../src/stack.ts';
import { numberArgument as arg, drive, median, sleep, summarize } from './measure.ts';

const RUNS = arg('runs', 3);
const B_WRITES = arg('writes', 300);
const B_CLIENTS = 2;
const FLOOD_CLIENTS = arg('flood-clients', 64);
const HOSTILE = process.argv.includes('--hostile');

let userSequence = 0;
const create = (scim: ScimClient, tenant: string) =>
  scim.post('/Users', newUser(`${tenant}-${userSequence++}@example.com`));

/** B's writes as an IdP sends them; the answers are counted (a 429 or 503 for B is unfair). */
const quietWrites = async (scim: ScimClient) => {
  const statuses = new Map<number, number>();
  const run = await drive(B_WRITES, B_CLIENTS, async () => {
    const { status } = await create(scim, 'quiet');
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  return { ...summarize(run.samples, run.elapsedMs), statuses: Object.fromEntries(statuses) };
};

/** A's flood until `stop` aborts; resolves with how A's calls were answered. */
const flood = (scim: ScimClient, stop: AbortSignal) => {
  const statuses = new Map<number, number>();
  const client = async () => {
    while (!stop.aborted) {
      const response = await create(scim, 'flood');
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (!HOSTILE && (response.status === 429 || response.status === 503))
        await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
    }
  };
  return Promise.all(Array.from({ length: FLOOD_CLIENTS }, client)).then(() => Object.fromEntries(statuses));
};

// The ingress's own defaults (startStack lifts the limits for other tests), or what the caller set.
const tenantLimits = Object.fromEntries(
  ['ROSTER_TENANT_RATE_LIMIT', 'ROSTER_TENANT_WRITES_IN_FLIGHT', 'ROSTER_TENANT_SHARED_WRITES_IN_FLIGHT'].map(
    (name) => [name, process.env[name] ?? ''],
  ),
);
const stack = await startStack({ LOG_LEVEL: 'error', ...tenantLimits }, 180_000);
try {
  const [flooding, quiet] = [await setUpOrganization(stack), await setUpOrganization(stack)];
  // Warm-up: first writes of an organization pay for caches and connections.
  await drive(50, B_CLIENTS, async () => void (await create(quiet.scim, 'warm')));
  const runs = [];
  for (let run = 1; run <= RUNS; run++) {
    const idle = await quietWrites(quiet.scim);
    const stop = new AbortController();
    const flooded = flood(flooding.scim, stop.signal);
    const loaded = await quietWrites(quiet.scim);
    stop.abort();
    const floodAnswers = await flooded;
    const result = {
      run,
      idle,
      loaded,
      ratio: Number((loaded.p99 / idle.p99).toFixed(2)),
      flood: floodAnswers,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    runs.push(result);
  }
  const summary = {
    runs: RUNS,
    quietWrites: B_WRITES,
    floodClients: FLOOD_CLIENTS,
    floodHonoursRetryAfter: !HOSTILE,
    medianIdleP99: median(runs.map((r) => r.idle.p99)),
    medianLoadedP99: median(runs.map((r) => r.loaded.p99)),
    medianRatio: median(runs.map((r) => r.ratio)),
    medianFlood429s: median(runs.map((r) => r.flood[429] ?? 0)),
    medianFlood201s: median(runs.map((r) => r.flood[201] ?? 0)),
  };
  process.stdout.write(`SUMMARY ${JSON.stringify(summary)}\n`);
} finally {
  await stack.stop();
}
