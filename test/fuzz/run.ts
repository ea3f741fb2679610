/**
 * `npm run fuzz`: the long fuzzing run. One stack; FUZZ_REQUESTS (default 10,000) generated hostile
 * requests from FUZZ_WORKERS concurrent seeded runs, with an injected outage in the middle (the broker,
 * then the store, frozen with SIGSTOP for a few seconds) in which an honest 503 is allowed; another
 * tenant provisions throughout. Exits non-zero on any finding, crash or failed bystander call.
 */
import { waitFor } from '@roster/test-support';
import { newUser } from '../src/fixtures.ts';
import { exitReports, stopStackOnSignals } from '../src/processes.ts';
import { startStack } from '../src/stack.ts';
import { startBystander } from './bystander.ts';
import { type CampaignReport, runCampaign } from './campaign.ts';
import { OutageWindows } from './outages.ts';
import { fuzzSeed } from './seed.ts';
import { prepareTarget } from './target.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const requests = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const workers = Number(process.env.FUZZ_WORKERS ?? 6);
const FREEZE_MS = 4_000;
const seed = fuzzSeed(Math.floor(Math.random() * 2 ** 31), log);

const stack = await startStack();
stopStackOnSignals(stack);
const outages = new OutageWindows();
const known = new Set<string>();
let failed = false;
try {
  const target = await prepareTarget(stack);
  log(`advertised limits: ${target.limits.join(', ')}`);
  const bystander = await startBystander(stack, outages.covers);
  const campaign = (share: number, phaseSeed: number) =>
    runCampaign({
      scimBaseUrl: stack.scimBaseUrl,
      target,
      seed: phaseSeed,
      requests: Math.round(requests * share),
      workers,
      duringOutage: outages.covers,
      log,
      shrink: true,
      known,
    });
  const started = Date.now();
  log('phase 1: hostile requests');
  const reports: CampaignReport[] = [await campaign(0.6, seed)];
  for (const [index, frozen] of (['kafka', 'mongo'] as const).entries()) {
    log(`phase ${index + 2}: hostile requests while ${frozen} is frozen for ${FREEZE_MS} ms`);
    const [report] = await Promise.all([
      campaign(0.15, seed + index + 1),
      outages.freeze(stack.pid, frozen, FREEZE_MS),
    ]);
    reports.push(report);
  }
  log('phase 4: hostile requests after the outages');
  reports.push(await campaign(0.1, seed + 3));
  const bystanderReport = await bystander.stop();
  const recovered = await waitFor(
    async () =>
      (await bystander.scim.post('/Users', newUser('after-the-fuzz@example.com'))).status === 201
        ? true
        : undefined,
    { timeoutMs: 30_000, what: 'the other tenant to provision after the run' },
  ).catch(() => false);

  const findings = reports.flatMap((r) => r.findings);
  const statuses: Record<string, number> = {};
  for (const report of reports)
    for (const [status, count] of Object.entries(report.statuses))
      statuses[status] = (statuses[status] ?? 0) + count;
  const crashes = exitReports(stack.output);
  log('');
  log(`| seed | requests | seconds | findings | crashes | bystander calls | bystander failures |`);
  log(`| --- | --- | --- | --- | --- | --- | --- |`);
  log(
    `| ${seed} | ${reports.reduce((n, r) => n + r.sent, 0)} | ${Math.round((Date.now() - started) / 1000)} | ${findings.length} | ${crashes.length} | ${bystanderReport.requests} | ${bystanderReport.failures.length} |`,
  );
  log(`statuses: ${JSON.stringify(statuses)}`);
  for (const finding of findings)
    log(
      `\nFINDING ${finding.signature}\n  ${finding.description}\n  ${finding.counterexample}\n  ${finding.replay}`,
    );
  for (const line of crashes) log(`CRASH ${line}`);
  for (const failure of bystanderReport.failures.slice(0, 20)) log(`BYSTANDER ${failure}`);
  if (!recovered) log('BYSTANDER could not provision within 30 s after the run');
  failed = findings.length > 0 || crashes.length > 0 || bystanderReport.failures.length > 0 || !recovered;
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);
