import { afterAll, beforeAll, expect } from 'vitest';
import { newOrganization } from './org.ts';
import type { ScimClient } from './scim-client.ts';
import { type RunningStack, startStack } from './stack.ts';

export interface ScimSuite {
  stack: RunningStack;
  /** The SCIM client of a fresh organization with no workspaces. */
  scim: ScimClient;
}

/**
 * The usual SCIM suite: before the file's tests, a stack (started with `env`) and a fresh
 * organization, handed to `started` (which may set up more, e.g. users); after them, the stack stopped.
 */
export const withStackAndOrganization = (
  started: (suite: ScimSuite) => void | Promise<void>,
  env: NodeJS.ProcessEnv = {},
): void => {
  let stack: RunningStack | undefined;
  beforeAll(async () => {
    stack = await startStack(env);
    const { scim } = await newOrganization(stack);
    await started({ stack, scim });
  });
  afterAll(async () => {
    await stack?.stop();
  });
};

export interface PeopleSuite {
  /** The organization's SCIM client (set before the file's tests run). */
  readonly scim: ScimClient;
  /** Each person's user id, by the name they were given. */
  readonly ids: Record<string, string>;
  /** The names of the people a `GET /Users?filter=` returns (ids of anyone else as they are), sorted. */
  matching(filter: string): Promise<string[]>;
}

/** A SCIM suite whose organization starts with `people` (SCIM user bodies by name) provisioned. */
export const withPeople = (people: Record<string, object>, env: NodeJS.ProcessEnv = {}): PeopleSuite => {
  let client: ScimClient | undefined;
  const ids: Record<string, string> = {};
  const scim = (): ScimClient => {
    if (!client) throw new Error('the suite has not started');
    return client;
  };
  withStackAndOrganization(async (suite) => {
    client = suite.scim;
    for (const [name, body] of Object.entries(people)) {
      const created = await client.post('/Users', body);
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      ids[name] = created.body.id;
    }
  }, env);
  return {
    get scim() {
      return scim();
    },
    ids,
    async matching(filter) {
      const response = await scim().get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(response.status, `${filter}: ${JSON.stringify(response.body)}`).toBe(200);
      const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
      return response.body.Resources.map((r: { id: string }) => byId.get(r.id) ?? r.id).sort();
    },
  };
};
