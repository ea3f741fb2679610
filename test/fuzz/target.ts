import { GROUP_SCHEMA, newUser } from '../src/fixtures.ts';
import { newOrganization } from '../src/org.ts';
import type { RunningStack } from '../src/stack.ts';
import type { FuzzTarget } from './requests.ts';

/** Every number in the ServiceProviderConfig: the limits it advertises (maxOperations, maxPayloadSize, …). */
const numbersIn = (value: unknown): number[] => {
  if (typeof value === 'number') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
};

/**
 * Limits the README's "Limits" table documents without /ServiceProviderConfig advertising them
 * (string length, values per attribute, nesting, filter comparisons and depth, path length): only
 * sizes to probe at and past, so a changed limit makes the probes miss, never fail.
 */
const DOCUMENTED_LIMITS = [24, 32, 100, 1_000, 1_024, 2_048, 65_536];

/** A fresh organization to fuzz, with a few users and groups for the requests to aim at. */
export const prepareTarget = async (stack: RunningStack): Promise<FuzzTarget> => {
  const org = await newOrganization(stack);
  const userIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const created = await org.scim.post('/Users', newUser(`fuzz-target-${i}@example.com`));
    if (created.status !== 201)
      throw new Error(`setting up the fuzz target failed: ${JSON.stringify(created.body)}`);
    userIds.push(created.body.id);
  }
  const groupIds: string[] = [];
  for (const displayName of ['Fuzz A', 'Fuzz B']) {
    const created = await org.scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName,
      members: [{ value: userIds[0] }],
    });
    if (created.status !== 201)
      throw new Error(`setting up the fuzz target failed: ${JSON.stringify(created.body)}`);
    groupIds.push(created.body.id);
  }
  const config = await org.scim.get('/ServiceProviderConfig');
  const advertised = numbersIn(config.body).filter((n) => Number.isInteger(n) && n > 1);
  const limits = [...new Set([...advertised, ...DOCUMENTED_LIMITS])].sort((a, b) => a - b);
  const token = (await org.admin.post(`/orgs/${org.orgId}/scim-tokens`, {})).body.token as string;
  return { token, userIds, groupIds, limits };
};
