/**
 * `npm run bench:groups`: a pushed group of 100,000 members (issue 13's goal), built and emptied
 * the way an IdP does it, while another organization provisions users.
 *   1. organization A provisions `--members` users (not measured) and a workspace named like the group,
 *   2. organization B's writes alone (2 clients, an IdP's pace) → B's idle p99,
 *   3. A builds the group by `--members`/`--per-patch` PATCHes of `--per-patch` members, one at
 *      a time as a connector sends them, while B keeps provisioning → PATCH p50/p99, the growth
 *      from the first to the last tenth of the PATCHes (median latency), how long after the last
 *      PATCH every member is in the workspace, and B's p99 under this load,
 *   4. `GET /Groups/{id}?excludedAttributes=members` of the full group,
 *   5. A removes every member again by Entra's value-list removal, same figures,
 * and the peak RSS of every process. Prints one JSON document; each phase's figures also go to
 * stderr as soon as it ends, so a run that fails later (a long one) still tells what it measured. The CPU and the round trips (store
 * commands, broker requests) per PATCH are summed over every process and include organization B's
 * writes meanwhile (the stack cannot tell them apart); B's own, per write alone, are reported too.
 */
import { MongoClient } from 'mongodb';
import { GROUP_SCHEMA, newUser, PATCH_OP } from '../src/fixtures.ts';
import { IdpRetries } from '../src/idp-retries.ts';
import { setUpOrganization, type TestOrg } from '../src/org.ts';
import type { ScimClient } from '../src/scim-client.ts';
import { type RunningStack, startStack } from '../src/stack.ts';
import {
  numberArgument as arg,
  childrenCpuSeconds,
  drive,
  expectStatus,
  median,
  peakRssMiB,
  sleep,
  stackProcesses,
  summarize,
} from './measure.ts';
import { roundTripCounter } from './round-trips.ts';

const MEMBERS = arg('members', 100_000);
const PER_PATCH = arg('per-patch', 100);
const SEED_CLIENTS = arg('clients', 32);
const GROUP_NAME = 'All Hands';

const retries = new IdpRetries();

const seedUsers = async (org: TestOrg): Promise<string[]> => {
  const ids = new Array<string>(MEMBERS);
  await drive(MEMBERS, SEED_CLIENTS, async (i) => {
    const created = await retries.call(() => org.scim.post('/Users', newUser(`member-${i}@example.com`)));
    expectStatus(created.status, 201, 'seeding a user');
    ids[i] = created.body.id;
  });
  return ids;
};

/** Organization B's writes until `stop` aborts, from 2 clients; their latencies. */
const provisionUntil = async (scim: ScimClient, stop: AbortSignal, prefix: string) => {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (!stop.aborted) {
      const t0 = performance.now();
      // A 503 (a missed deadline) is waited out and retried as an IdP would: its time counts.
      const created = await retries.call(() =>
        scim.post('/Users', newUser(`${prefix}-${next++}@example.com`)),
      );
      expectStatus(created.status, 201, 'the other organization provisioning');
      samples.push(performance.now() - t0);
    }
  };
  await Promise.all([client(), client()]);
  return summarize(samples, performance.now() - started);
};

const patchOf = (operation: Record<string, unknown>) => ({ schemas: [PATCH_OP], Operations: [operation] });

/**
 * Sends `patches` one after the other while organization B provisions, then waits until the
 * workspace holds `membersAfter` members: each PATCH's latency, B's, and the convergence time.
 */
const groupPhase = async (
  target: {
    stack: RunningStack;
    a: TestOrg;
    b: TestOrg;
    workspaceMembers: () => Promise<number>;
    roundTrips: RoundTrips;
  },
  groupPath: string,
  patches: Record<string, unknown>[],
  membersAfter: number,
  phase: string,
) => {
  const stop = new AbortController();
  const other = provisionUntil(target.b.scim, stop.signal, `${phase}-bystander`);
  const cpuBefore = childrenCpuSeconds(target.stack.pid);
  const servedBefore = await target.roundTrips.served();
  const latencies: number[] = [];
  const started = performance.now();
  for (const body of patches) {
    const t0 = performance.now();
    const answered = await retries.call(() => target.a.scim.patch(groupPath, body));
    expectStatus(answered.status, 204, `PATCH ${groupPath}`);
    latencies.push(performance.now() - t0);
  }
  const lastAnswered = performance.now();
  while ((await target.workspaceMembers()) !== membersAfter) await sleep(100);
  const convergedMs = Math.round(performance.now() - lastAnswered);
  stop.abort();
  const roundTrips = await target.roundTrips.perOperation(servedBefore, patches.length);
  const tenth = Math.max(1, Math.floor(latencies.length / 10));
  const firstTenth = median(latencies.slice(0, tenth));
  const lastTenth = median(latencies.slice(-tenth));
  return {
    patches: summarize(latencies, lastAnswered - started),
    growthFirstToLastTenth: Number((lastTenth / firstTenth).toFixed(2)),
    convergedAfterLastPatchMs: convergedMs,
    cpuMsPerPatchWithTheOtherOrganization: Number(
      (((childrenCpuSeconds(target.stack.pid) - cpuBefore) * 1000) / patches.length).toFixed(1),
    ),
    roundTripsPerPatchWithTheOtherOrganization: roundTrips,
    otherOrganization: await other,
  };
};

type RoundTrips = Awaited<ReturnType<typeof roundTripCounter>>;

/** One phase's figures on stderr, as soon as it ends. */
const reportPhase = (phase: string, figures: unknown): void => {
  process.stderr.write(`${phase} ${JSON.stringify(figures)}\n`);
};

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
const asMembers = (ids: readonly string[]) => ids.map((value) => ({ value }));

const stack = await startStack({ LOG_LEVEL: 'error' }, 180_000);
const mongo = new MongoClient(stack.mongoUrl);
let roundTrips: RoundTrips | undefined;
try {
  await mongo.connect();
  const a = await setUpOrganization(stack, { workspaces: ['Everyone', GROUP_NAME] });
  const b = await setUpOrganization(stack);
  const workspaceId = a.workspaces[GROUP_NAME]!;
  const workspaceMembers = () =>
    mongo.db('roster').collection('workspace_members').countDocuments({ tenant: a.orgId, workspaceId });
  roundTrips = await roundTripCounter(stack);
  const target = { stack, a, b, workspaceMembers, roundTrips };

  const seedStarted = performance.now();
  const ids = await seedUsers(a);
  const seededInS = Math.round((performance.now() - seedStarted) / 1000);
  reportPhase('seeded', { seededInS });

  const idleStop = new AbortController();
  const servedBeforeIdle = await roundTrips.served();
  const idleRun = provisionUntil(b.scim, idleStop.signal, 'idle');
  await sleep(30_000);
  idleStop.abort();
  const idle = await idleRun;
  const roundTripsPerIdleWrite = await roundTrips.perOperation(servedBeforeIdle, idle.count);
  reportPhase('idle', { ...idle, roundTripsPerWrite: roundTripsPerIdleWrite });

  const group = await a.scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: GROUP_NAME,
    members: [],
  });
  expectStatus(group.status, 201, 'POST /Groups');
  const groupPath = `/Groups/${group.body.id}`;
  const build = await groupPhase(
    target,
    groupPath,
    chunks(ids, PER_PATCH).map((batch) => patchOf({ op: 'add', path: 'members', value: asMembers(batch) })),
    MEMBERS,
    'build',
  );
  reportPhase('build', build);

  const reads = await drive(100, 1, async () => {
    const read = await a.scim.get(`${groupPath}?excludedAttributes=members`);
    expectStatus(read.status, 200, 'GET the group without members');
  });

  const removal = await groupPhase(
    target,
    groupPath,
    chunks(ids, PER_PATCH).map((batch) =>
      patchOf({ op: 'Remove', path: 'members', value: asMembers(batch) }),
    ),
    0,
    'removal',
  );
  reportPhase('removal', removal);

  const peakRss = Object.fromEntries(
    stackProcesses(stack.pid).map(({ name, pid }) => [name, peakRssMiB(pid)]),
  );
  const result = {
    members: MEMBERS,
    perPatch: PER_PATCH,
    seededInS,
    otherOrganizationIdle: { ...idle, roundTripsPerWrite: roundTripsPerIdleWrite },
    build: {
      ...build,
      otherOrganizationP99Ratio: Number((build.otherOrganization.p99 / idle.p99).toFixed(2)),
    },
    getWithoutMembers: summarize(reads.samples, reads.elapsedMs),
    removal: {
      ...removal,
      otherOrganizationP99Ratio: Number((removal.otherOrganization.p99 / idle.p99).toFixed(2)),
    },
    retriedAfter429or503: retries.count,
    peakRssMiB: peakRss,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await mongo.close();
  await roundTrips?.close();
  await stack.stop();
}
