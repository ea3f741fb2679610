import { newUser, PATCH_OP } from '../src/fixtures.ts';
import { newOrganization } from '../src/org.ts';
import type { ScimClient } from '../src/scim-client.ts';
import type { RunningStack } from '../src/stack.ts';

export interface BystanderReport {
  requests: number;
  /** Calls that did not succeed although no outage was injected when they were sent. */
  failures: string[];
}

export interface Bystander {
  scim: ScimClient;
  stop(): Promise<BystanderReport>;
}

/**
 * Another tenant provisioning as usual while the fuzzer attacks: a create, a lookup by filter and an
 * update, over and over. Its calls must succeed (an honest 503 is excused only during an outage).
 */
export const startBystander = async (
  stack: RunningStack,
  duringOutage: (sentAt: number) => boolean,
): Promise<Bystander> => {
  const { scim } = await newOrganization(stack);
  const report: BystanderReport = { requests: 0, failures: [] };
  let running = true;
  const call = async (what: string, run: () => Promise<{ status: number; body: any }>) => {
    const sentAt = Date.now();
    report.requests++;
    const outcome = await run().catch((error: Error) => ({ status: 0, body: { detail: error.message } }));
    const excused = outcome.status === 503 && duringOutage(sentAt);
    if ((outcome.status < 200 || outcome.status > 299) && !excused) {
      report.failures.push(`${what}: ${outcome.status} ${outcome.body?.detail ?? ''}`);
    }
    return outcome;
  };
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const userName = `bystander-${i}@example.com`;
      const created = await call('POST /Users', () => scim.post('/Users', newUser(userName)));
      await call('GET /Users?filter', () =>
        scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`),
      );
      if (created.status === 201) {
        await call('PATCH /Users', () =>
          scim.patch(`/Users/${created.body.id}`, {
            schemas: [PATCH_OP],
            Operations: [{ op: 'replace', path: 'title', value: `round ${i}` }],
          }),
        );
      }
    }
  })();
  return {
    scim,
    async stop() {
      running = false;
      await loop;
      return report;
    },
  };
};
