/**
 * `npm run bench:scim`: the SCIM API and the whole pipeline against the embedded stack.
 *   1. 20,000 POST /Users from 32 concurrent clients (each answer waits for license + default
 *      workspace, so this is also end-to-end provisioning throughput),
 *   2. 20,000 GET /Users?filter=userName eq "…",
 *   3. 20,000 PATCH /Users/{id},
 *   4. 2,000 deactivations of users owning 20 content items each, timed until each user's
 *      content transfer is announced on the lifecycle topic,
 * plus a bare fastify route on the same machine in the same run for scale. Then the same phases
 * again on a second stack exporting every trace and metric over OTLP (to a receiver in this
 * process) and the throughput ratio traced / untraced (issue 12's goal: ≥ 0.9); `--rounds=N`
 * repeats the pair N times (alternating which runs first) and reports the median ratio, since one
 * pair on a shared machine is mostly noise. Prints medians of one run (p50/p99 per phase) and the
 * peak RSS of every process.
 */
import Fastify from 'fastify';
import { ENTERPRISE, newUser, PATCH_OP } from '../src/fixtures.ts';
import { collect } from '../src/kafka.ts';
import { setUpOrganization } from '../src/org.ts';
import { startOtlpReceiver } from '../src/otlp-receiver.ts';
import { type RunningStack, startStack } from '../src/stack.ts';
import { childrenOf, cpuSeconds, drive, peakRssMiB, summarize } from './measure.ts';

const arg = (name: string, fallback: number) => {
  const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value ? Number(value) : fallback;
};
const USERS = arg('users', 20_000);
const CLIENTS = arg('clients', 32);
const DEACTIVATIONS = arg('deactivations', 2_000);
const ITEMS_PER_USER = arg('items', 20);
/** Traced / untraced pairs of stacks; the ratio reported is their median. */
const ROUNDS = arg('rounds', 1);

const expectStatus = (status: number, wanted: number, what: string) => {
  if (status !== wanted) throw new Error(`${what}: expected ${wanted}, got ${status}`);
};

/** Calls made again after a 503 + Retry-After, as an IdP does; reported, since each is a missed deadline. */
let retriedAfter503 = 0;
const asAnIdp = async <T extends { status: number; headers: Headers }>(
  call: () => Promise<T>,
): Promise<T> => {
  for (;;) {
    const response = await call();
    if (response.status !== 503) return response;
    retriedAfter503++;
    await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
};

const bareFastify = async () => {
  const app = Fastify();
  const body = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: 0,
    Resources: [],
  };
  app.get('/bare', async () => body);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const run = await drive(USERS, CLIENTS, async () => {
    const response = await fetch(`${url}/bare`);
    await response.arrayBuffer();
  });
  await app.close();
  return summarize(run.samples, run.elapsedMs);
};

type Phases = Record<string, unknown> & Record<'post' | 'getByFilter' | 'patch', { perSecond: number }>;

/** The four phases against a fresh stack started with `env`; the stack stays up for the caller. */
const runPhases = async (env: NodeJS.ProcessEnv) => {
  const stack = await startStack({ LOG_LEVEL: 'error', ...env }, 180_000);
  const report: Record<string, unknown> = {};
  const org = await setUpOrganization(stack);
  const { scim } = org;
  const owner = await scim.post(
    '/Users',
    newUser('bench-admin@example.com', { roles: [{ type: 'synthesia_role', value: 'organization-admin' }] }),
  );
  expectStatus(owner.status, 201, 'creating the org admin');

  const ids: string[] = new Array(USERS);
  let incomplete = 0;
  const create = await drive(USERS, CLIENTS, async (i) => {
    const created = await asAnIdp(() =>
      scim.post('/Users', newUser(`bench-${i}@example.com`, { [ENTERPRISE]: { department: 'R&D' } })),
    );
    expectStatus(created.status, 201, 'POST /Users');
    ids[i] = created.body.id;
    const provisioning = created.body['urn:roster:params:scim:schemas:extension:provisioning:1.0:User'];
    if (!provisioning?.license || provisioning.workspaces.length === 0) incomplete++;
  });
  report.post = {
    ...summarize(create.samples, create.elapsedMs),
    answeredBeforeLicenseAndWorkspace: incomplete,
  };

  const find = await drive(USERS, CLIENTS, async (i) => {
    const found = await scim.get(
      `/Users?filter=${encodeURIComponent(`userName eq "bench-${i}@example.com"`)}`,
    );
    expectStatus(found.status, 200, 'GET /Users?filter');
    if (found.body.totalResults !== 1) throw new Error(`filter found ${found.body.totalResults} users`);
  });
  report.getByFilter = summarize(find.samples, find.elapsedMs);

  const patch = await drive(USERS, CLIENTS, async (i) => {
    const patched = await asAnIdp(() =>
      scim.patch(`/Users/${ids[i]}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: `Title ${i}` }],
      }),
    );
    expectStatus(patched.status, 200, 'PATCH /Users');
  });
  report.patch = summarize(patch.samples, patch.elapsedMs);

  // Deprovisioning with content: seed (not timed), then deactivate and time until transferred.
  const leaving = ids.slice(0, DEACTIVATIONS);
  await drive(leaving.length * ITEMS_PER_USER, CLIENTS, async (i) => {
    const seeded = await org.admin.post(`/orgs/${org.orgId}/content`, {
      ownerUserId: leaving[Math.floor(i / ITEMS_PER_USER)],
      title: `Video ${i}`,
    });
    expectStatus(seeded.status, 201, 'seeding content');
  });
  const lifecycle = await collect(stack.kafkaBrokers, 'roster.lifecycle.v1');
  const requested = new Map<string, number>();
  const transferred = new Map<string, number>();
  const watch = setInterval(() => {
    for (const m of lifecycle.messages.splice(0)) {
      if (m.value?.type === 'roster.lifecycle.user.content.transferred.v1')
        transferred.set(m.value.subject, performance.now());
    }
  }, 5);
  const started = performance.now();
  await drive(leaving.length, CLIENTS, async (i) => {
    requested.set(leaving[i]!, performance.now());
    const off = await asAnIdp(() =>
      scim.patch(`/Users/${leaving[i]}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: false } }],
      }),
    );
    expectStatus(off.status, 200, 'deactivation');
  });
  const deadline = Date.now() + 600_000;
  while (transferred.size < leaving.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  clearInterval(watch);
  await lifecycle.stop();
  const completion = [...requested].flatMap(([id, at]) =>
    transferred.has(id) ? [transferred.get(id)! - at] : [],
  );
  report.deprovisioning = {
    ...summarize(completion, Math.max(...transferred.values()) - started),
    itemsPerUser: ITEMS_PER_USER,
    notTransferred: leaving.length - completion.length,
  };

  return { stack, report: report as Phases };
};

const processesOf = (stackPid: number) => [
  ...childrenOf(stackPid).map(({ pid, command }) => ({
    name: /(services|embedded)\/([\w-]+)\//.exec(command)?.[2] ?? command,
    pid,
  })),
  { name: 'bench client', pid: process.pid },
];

const PHASES = ['post', 'getByFilter', 'patch'] as const;
type Phase = (typeof PHASES)[number];
const byPhase = (value: (phase: Phase) => number) =>
  Object.fromEntries(PHASES.map((phase) => [phase, value(phase)])) as Record<Phase, number>;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const report: Record<string, unknown> = { users: USERS, clients: CLIENTS, rounds: ROUNDS };

/** The untraced stack's figures the README reports, taken while it is still up (first round only). */
const describeUntraced = async (stack: RunningStack, phases: Phases) => {
  Object.assign(report, phases);
  report.retriedAfter503 = retriedAfter503;
  report.bareFastify = await bareFastify();
  const bare = (report.bareFastify as { perSecond: number }).perSecond;
  report.ratioToBareFastify = byPhase((phase) => Number((phases[phase].perSecond / bare).toFixed(4)));
  const processes = processesOf(stack.pid);
  report.peakRssMiB = Object.fromEntries(processes.map(({ name, pid }) => [name, peakRssMiB(pid)]));
  report.cpuSeconds = Object.fromEntries(processes.map(({ name, pid }) => [name, cpuSeconds(pid)]));
};

/** The phases on a fresh stack started with `env`, stopped afterwards, and how many 503s it retried. */
const measured = async (env: NodeJS.ProcessEnv, inspect?: typeof describeUntraced) => {
  retriedAfter503 = 0;
  const { stack, report: phases } = await runPhases(env);
  try {
    await inspect?.(stack, phases);
  } finally {
    await stack.stop();
  }
  return { phases, retriedAfter503 };
};

// Traced: every span and metric of every process exported over OTLP/JSON to a receiver in this process.
const receiver = await startOtlpReceiver({ keepSpans: false });
const TRACED = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
const rounds: {
  ratio: Record<Phase, number>;
  tracedPerSecond: Record<Phase, number>;
  retriedAfter503: number;
}[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Every other round runs traced first, so whatever favours the second stack of a pair (a warm
    // page cache, a neighbour finishing) cancels out in the median instead of biasing it.
    const tracedFirst = round % 2 === 1;
    const traced = tracedFirst ? await measured(TRACED) : undefined;
    const untraced = await measured({}, round === 0 ? describeUntraced : undefined);
    const { phases, retriedAfter503: retried } = traced ?? (await measured(TRACED));
    rounds.push({
      ratio: byPhase((phase) =>
        Number((phases[phase].perSecond / untraced.phases[phase].perSecond).toFixed(3)),
      ),
      tracedPerSecond: byPhase((phase) => phases[phase].perSecond),
      retriedAfter503: retried,
    });
  }
} finally {
  await receiver.close();
}
report.tracing = {
  spansExported: receiver.spanCount(),
  rounds,
  medianRatioTracedToUntraced: byPhase((phase) => median(rounds.map((r) => r.ratio[phase]))),
};
console.log(JSON.stringify(report, null, 2));
