import { waitFor } from '@roster/test-support';
import { afterEach, expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import { thawAll, whileFrozen } from '../src/processes.ts';
import type { ScimClient, ScimResponse } from '../src/scim-client.ts';
import type { RunningStack } from '../src/stack.ts';
import { withStackAndOrganization } from '../src/suite.ts';

const DEADLINE_MS = 2_000;
const WRITES_IN_FLIGHT = 3;
const COMMAND_LAG = 5;

let stack: RunningStack;
let scim: ScimClient;

// Low limits the test can reach by freezing the status service: what the ingress publishes then
// stays unanswered (writes in flight) and untaken (command lag).
withStackAndOrganization(
  (suite) => {
    stack = suite.stack;
    scim = suite.scim;
  },
  {
    ROSTER_SCIM_DEADLINE_MS: String(DEADLINE_MS),
    ROSTER_BACKPRESSURE_WRITES_IN_FLIGHT: String(WRITES_IN_FLIGHT),
    ROSTER_BACKPRESSURE_COMMAND_LAG: String(COMMAND_LAG),
  },
);

afterEach(() => thawAll(stack.pid));

let created = 0;
const create = (): Promise<ScimResponse> => scim.post('/Users', newUser(`held${created++}@example.com`));

/** A write's answer and how long it took. */
const timed = async (call: () => Promise<ScimResponse>) => {
  const started = performance.now();
  const response = await call();
  return { response, ms: performance.now() - started };
};

/** Writes the frozen pipeline holds until they miss their deadline (no more than the limit in flight). */
const holdWrites = (count: number): Promise<ScimResponse[]> =>
  Promise.all(Array.from({ length: count }, create));

/** Polls with writes until one is refused for `detail`; that one must come at once, not at the deadline. */
const refusedWrite = async (detail: RegExp): Promise<ScimResponse> => {
  const { response, ms } = await waitFor(
    async () => {
      const answer = await timed(create);
      return answer.response.status === 503 && detail.test(answer.response.body.detail) ? answer : undefined;
    },
    { what: `a write refused with ${detail}` },
  );
  expect(ms).toBeLessThan(DEADLINE_MS / 2);
  return response;
};

const expectBackoff = (response: ScimResponse) => {
  expect(response.body).toMatchObject({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: '503',
  });
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
};

/** Thawed, the pipeline works off the queue and takes writes again. */
const drained = () =>
  waitFor(async () => ((await create()).status === 201 ? true : undefined), {
    what: 'a write accepted once the pipeline drained',
  });

// Each limit is reached in a freeze of its own, a few seconds long: a process frozen for longer
// fails its liveness checks and the supervisor restarts it (as Kubernetes would).
test('past its limits the pipeline refuses writes at once with 503 + Retry-After, answers reads, and recovers', async () => {
  await whileFrozen(stack.pid, 'status', async () => {
    // Writes in flight: one more write than the limit at once; whichever arrives last is refused
    // at once, the others wait for the frozen pipeline until their deadline.
    const reads = scim.get('/Users');
    const answers = await Promise.all(Array.from({ length: WRITES_IN_FLIGHT + 1 }, () => timed(create)));
    expect((await reads).status).toBe(200);
    const refused = answers.filter(({ response }) => /in progress/.test(response.body.detail ?? ''));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.ms).toBeLessThan(DEADLINE_MS / 2);
    expectBackoff(refused[0]!.response);
    expect(answers.map(({ response }) => response.status)).toEqual(Array(WRITES_IN_FLIGHT + 1).fill(503));
  });
  await drained();

  await whileFrozen(stack.pid, 'status', async () => {
    // Command lag: what more writes than the limit published is still untaken once they time out.
    for (let held = 0; held <= COMMAND_LAG; held += WRITES_IN_FLIGHT)
      expect((await holdWrites(WRITES_IN_FLIGHT)).map((r) => r.status)).toEqual(
        Array(WRITES_IN_FLIGHT).fill(503),
      );
    const lagging = await refusedWrite(/waiting to be processed/);
    expectBackoff(lagging);
    expect((await scim.get('/Users')).status).toBe(200);
  });
  await drained();
});
