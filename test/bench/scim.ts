/**
 * `npm run bench:scim`: the SCIM API and the whole pipeline against the embedded stack.
 *   1. 20,000 POST /Users from 32 concurrent clients (each answer waits for license + default
 *      workspace, so this is also end-to-end provisioning throughput),
 *   2. 20,000 GET /Users?filter=userName eq "…",
 *   3. 20,000 PATCH /Users/{id},
 *   4. 2,000 deactivations of users owning 20 content items each, timed until each user's
 *      content transfer is announced on the lifecycle topic,
 * first on one untraced stack alone, with a bare fastify route in the same run for scale: the
 * README's figures (p50/p99 per phase, CPU per operation, the round trips per operation as the
 * servers count them — store commands, broker requests — and the peak RSS of every process).
 *
 * Then what tracing costs (issue 12's goal: traced / untraced ≥ 0.9): an untraced and a traced
 * stack (every span and metric exported over OTLP/JSON to a receiver in this process) run side by
 * side, the operations of each phase alternating between them, and the ratio is their CPU per
 * operation, untraced / traced — for a CPU-bound stack, its throughput ratio. Measured in the same
 * seconds under the same neighbours, the pair sees the same machine; two stacks run one after the
 * other on this shared machine differed by ±30 % with identical code. `--rounds=N` repeats the
 * pair and reports the median.
 */
import Fastify from 'fastify';
import { ENTERPRISE, newUser, PATCH_OP } from '../src/fixtures.ts';
import { IdpRetries } from '../src/idp-retries.ts';
import { collect } from '../src/kafka.ts';
import { setUpOrganization, type TestOrg } from '../src/org.ts';
import { startOtlpReceiver } from '../src/otlp-receiver.ts';
import { type RunningStack, startStack } from '../src/stack.ts';
import {
  numberArgument as arg,
  childrenCpuSeconds,
  cpuSeconds,
  drive,
  expectStatus,
  median,
  peakRssMiB,
  stackProcesses,
  summarize,
} from './measure.ts';
import { roundTripCounter } from './round-trips.ts';

const USERS = arg('users', 20_000);
const CLIENTS = arg('clients', 32);
const DEACTIVATIONS = arg('deactivations', 2_000);
const ITEMS_PER_USER = arg('items', 20);
/** Side-by-side pairs of an untraced and a traced stack; the ratio reported is their median. */
const ROUNDS = arg('rounds', 1);

const retries = new IdpRetries();

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

/** One stack under load: its organization, the users it provisioned, what each phase measured. */
interface Target {
  stack: RunningStack;
  org: TestOrg;
  ids: string[];
  roundTrips: Awaited<ReturnType<typeof roundTripCounter>>;
  phases: Record<string, unknown>;
  cpuMsPerOperation: Record<string, number>;
  roundTripsPerOperation: Record<string, unknown>;
}

const prepare = async (env: NodeJS.ProcessEnv): Promise<Target> => {
  const stack = await startStack({ LOG_LEVEL: 'error', ...env }, 180_000);
  const org = await setUpOrganization(stack);
  const owner = await org.scim.post(
    '/Users',
    newUser('bench-admin@example.com', { roles: [{ type: 'synthesia_role', value: 'organization-admin' }] }),
  );
  expectStatus(owner.status, 201, 'creating the org admin');
  return {
    stack,
    org,
    ids: new Array(USERS),
    roundTrips: await roundTripCounter(stack),
    phases: {},
    cpuMsPerOperation: {},
    roundTripsPerOperation: {},
  };
};

/**
 * Measures from now until `measuredPart` resolves, for each target: CPU of every process of its
 * stack per operation, and the round trips its servers counted per operation.
 */
const accounted = async <T>(
  targets: Target[],
  phase: string,
  operations: number,
  measuredPart: () => Promise<T>,
): Promise<T> => {
  const served = await Promise.all(targets.map((t) => t.roundTrips.served()));
  const cpu = targets.map((t) => childrenCpuSeconds(t.stack.pid));
  const result = await measuredPart();
  await Promise.all(
    targets.map(async (t, k) => {
      const used = childrenCpuSeconds(t.stack.pid) - cpu[k]!;
      t.cpuMsPerOperation[phase] = Number(((used * 1000) / operations).toFixed(2));
      t.roundTripsPerOperation[phase] = await t.roundTrips.perOperation(served[k]!, operations);
    }),
  );
  return result;
};

/**
 * One phase of `operations` calls per target, from CLIENTS concurrent clients; with several
 * targets the calls alternate between them (call i goes to target i mod n).
 */
const phase = (
  targets: Target[],
  name: string,
  operations: number,
  call: (target: Target, index: number) => Promise<void>,
) =>
  accounted(targets, name, operations, async () => {
    const samples = targets.map(() => [] as number[]);
    const run = await drive(operations * targets.length, CLIENTS, async (i) => {
      const k = i % targets.length;
      const started = performance.now();
      await call(targets[k]!, Math.floor(i / targets.length));
      samples[k]!.push(performance.now() - started);
    });
    for (const [k, t] of targets.entries()) t.phases[name] = summarize(samples[k]!, run.elapsedMs);
  });

const byUserName = (i: number) =>
  `/Users?filter=${encodeURIComponent(`userName eq "bench-${i}@example.com"`)}`;

/** The four phases against `targets`, side by side. */
const runPhases = async (targets: Target[]) => {
  const incomplete = targets.map(() => 0);
  await phase(targets, 'post', USERS, async (t, i) => {
    const created = await retries.call(() =>
      t.org.scim.post('/Users', newUser(`bench-${i}@example.com`, { [ENTERPRISE]: { department: 'R&D' } })),
    );
    expectStatus(created.status, 201, 'POST /Users');
    t.ids[i] = created.body.id;
    const provisioning = created.body['urn:roster:params:scim:schemas:extension:provisioning:1.0:User'];
    if (!provisioning?.license || provisioning.workspaces.length === 0) incomplete[targets.indexOf(t)]!++;
  });
  for (const [k, t] of targets.entries())
    Object.assign(t.phases.post as object, { answeredBeforeLicenseAndWorkspace: incomplete[k] });

  await phase(targets, 'getByFilter', USERS, async (t, i) => {
    const found = await t.org.scim.get(byUserName(i));
    expectStatus(found.status, 200, 'GET /Users?filter');
    if (found.body.totalResults !== 1) throw new Error(`filter found ${found.body.totalResults} users`);
  });

  await phase(targets, 'patch', USERS, async (t, i) => {
    const patched = await retries.call(() =>
      t.org.scim.patch(`/Users/${t.ids[i]}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: `Title ${i}` }],
      }),
    );
    expectStatus(patched.status, 200, 'PATCH /Users');
  });

  await deprovisioning(targets);
};

/** Deprovisioning with content: seed (not measured), then deactivate and time until transferred. */
const deprovisioning = async (targets: Target[]) => {
  const leaving = targets.map((t) => t.ids.slice(0, DEACTIVATIONS));
  await drive(DEACTIVATIONS * ITEMS_PER_USER * targets.length, CLIENTS, async (i) => {
    const k = i % targets.length;
    const item = Math.floor(i / targets.length);
    const t = targets[k]!;
    const seeded = await t.org.admin.post(`/orgs/${t.org.orgId}/content`, {
      ownerUserId: leaving[k]![Math.floor(item / ITEMS_PER_USER)],
      title: `Video ${item}`,
    });
    expectStatus(seeded.status, 201, 'seeding content');
  });
  const lifecycles = await Promise.all(
    targets.map((t) => collect(t.stack.kafkaBrokers, 'roster.lifecycle.v1')),
  );
  const requested = targets.map(() => new Map<string, number>());
  const transferred = targets.map(() => new Map<string, number>());
  const watch = setInterval(() => {
    for (const [k, lifecycle] of lifecycles.entries())
      for (const m of lifecycle.messages.splice(0))
        if (m.value?.type === 'roster.lifecycle.user.content.transferred.v1')
          transferred[k]!.set(m.value.subject, performance.now());
  }, 5);
  const started = performance.now();
  await accounted(targets, 'deprovisioning', DEACTIVATIONS, async () => {
    await drive(DEACTIVATIONS * targets.length, CLIENTS, async (i) => {
      const k = i % targets.length;
      const id = leaving[k]![Math.floor(i / targets.length)]!;
      requested[k]!.set(id, performance.now());
      const off = await retries.call(() =>
        targets[k]!.org.scim.patch(`/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: false } }],
        }),
      );
      expectStatus(off.status, 200, 'deactivation');
    });
    const deadline = Date.now() + 600_000;
    while (transferred.some((done) => done.size < DEACTIVATIONS) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  });
  clearInterval(watch);
  await Promise.all(lifecycles.map((lifecycle) => lifecycle.stop()));
  for (const [k, t] of targets.entries()) {
    const completion = [...requested[k]!].flatMap(([id, at]) =>
      transferred[k]!.has(id) ? [transferred[k]!.get(id)! - at] : [],
    );
    t.phases.deprovisioning = {
      ...summarize(completion, Math.max(...transferred[k]!.values()) - started),
      itemsPerUser: ITEMS_PER_USER,
      notTransferred: DEACTIVATIONS - completion.length,
    };
  }
};

const PHASES = ['post', 'getByFilter', 'patch', 'deprovisioning'] as const;
type Phase = (typeof PHASES)[number];
const byPhase = (value: (phase: Phase) => number) =>
  Object.fromEntries(PHASES.map((phase) => [phase, value(phase)])) as Record<Phase, number>;
const perSecondOf = (t: Target, phase: Phase) => (t.phases[phase] as { perSecond: number }).perSecond;

const stopAll = (targets: Target[]) =>
  Promise.all(
    targets.map(async (t) => {
      await t.roundTrips.close();
      await t.stack.stop();
    }),
  );

const report: Record<string, unknown> = { users: USERS, clients: CLIENTS, rounds: ROUNDS };

// 1. One untraced stack alone: the README's figures.
{
  const alone = await prepare({});
  try {
    await runPhases([alone]);
    Object.assign(report, alone.phases);
    report.retriedAfter429or503 = retries.count;
    report.cpuMsPerOperation = alone.cpuMsPerOperation;
    report.roundTrips = alone.roundTripsPerOperation;
    const processes = stackProcesses(alone.stack.pid);
    report.peakRssMiB = Object.fromEntries(processes.map(({ name, pid }) => [name, peakRssMiB(pid)]));
    report.cpuSeconds = Object.fromEntries(processes.map(({ name, pid }) => [name, cpuSeconds(pid)]));
    report.bareFastify = await bareFastify();
    const bare = (report.bareFastify as { perSecond: number }).perSecond;
    report.ratioToBareFastify = byPhase((p) => Number((perSecondOf(alone, p) / bare).toFixed(4)));
  } finally {
    await stopAll([alone]);
  }
}

// 2. An untraced and a traced stack side by side: what tracing costs.
const receiver = await startOtlpReceiver({ keepSpans: false });
const TRACED = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
const rounds: { cpuRatio: Record<Phase, number>; cpuMsPerOperation: Record<string, unknown> }[] = [];
retries.count = 0;
try {
  for (let round = 0; round < ROUNDS; round++) {
    const [untraced, traced] = await Promise.all([prepare({}), prepare(TRACED)]);
    try {
      await runPhases([untraced!, traced!]);
    } finally {
      await stopAll([untraced!, traced!]);
    }
    rounds.push({
      cpuRatio: byPhase((p) =>
        Number((untraced!.cpuMsPerOperation[p]! / traced!.cpuMsPerOperation[p]!).toFixed(3)),
      ),
      cpuMsPerOperation: { untraced: untraced!.cpuMsPerOperation, traced: traced!.cpuMsPerOperation },
    });
  }
} finally {
  await receiver.close();
}
report.tracing = {
  spansExported: receiver.spanCount(),
  retriedAfter429or503: retries.count,
  rounds,
  medianRatioUntracedToTracedCpu: byPhase((p) => median(rounds.map((r) => r.cpuRatio[p]))),
};
console.log(JSON.stringify(report, null, 2));
