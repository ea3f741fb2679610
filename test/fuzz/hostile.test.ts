import { afterAll, beforeAll, expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import { exitReports } from '../src/processes.ts';
import { type RunningStack, startStack } from '../src/stack.ts';
import { startBystander } from './bystander.ts';
import { runCampaign } from './campaign.ts';
import { fuzzSeed } from './seed.ts';
import { prepareTarget } from './target.ts';

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

// The bounded run of `npm run fuzz`: a fixed default seed keeps CI deterministic; FUZZ_SEED explores.
test('hostile requests get SCIM refusals, never a 5xx or a crash, and another tenant keeps provisioning', {
  timeout: 240_000,
}, async () => {
  const seed = fuzzSeed(20_261_202, (line) => console.log(line));
  const target = await prepareTarget(stack);
  const bystander = await startBystander(stack, () => false);
  const report = await runCampaign({
    scimBaseUrl: stack.scimBaseUrl,
    target,
    seed,
    requests: Number(process.env.FUZZ_REQUESTS ?? 300),
    workers: 4,
    duringOutage: () => false,
    log: (line) => console.log(line),
    shrink: false,
    known: new Set(),
  });
  const bystanderReport = await bystander.stop();

  expect(report.findings.map((f) => `${f.signature}\n  ${f.counterexample}\n  ${f.replay}`)).toEqual([]);
  expect(report.sent).toBeGreaterThanOrEqual(Number(process.env.FUZZ_REQUESTS ?? 300));
  expect(exitReports(stack.output)).toEqual([]);
  expect(bystanderReport.requests).toBeGreaterThan(0);
  expect(bystanderReport.failures).toEqual([]);
  expect((await bystander.scim.post('/Users', newUser('after-the-fuzz@example.com'))).status).toBe(201);
});
