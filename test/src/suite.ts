import { afterAll, beforeAll } from 'vitest';
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
