import { ingressUrlOf } from './fixtures.ts';
import { adminClient, type ScimClient, scimClient } from './scim-client.ts';
import type { RunningStack } from './stack.ts';

export interface TestOrg {
  orgId: string;
  tokenId: string;
  scim: ScimClient;
  admin: ScimClient;
  workspaces: Record<string, string>;
}

/**
 * An organization set up through the admin API as an operator would: settings, workspaces
 * (the first one listed is the default), and a SCIM token.
 */
export const setUpOrganization = async (
  stack: RunningStack,
  { workspaces = ['Everyone'], ...settings }: { workspaces?: string[] } & Record<string, unknown> = {},
): Promise<TestOrg> => {
  const admin = adminClient(ingressUrlOf(stack), stack.adminToken);
  const org = await admin.post('/orgs', {
    name: `Org ${Math.random().toString(36).slice(2)}`,
    domains: ['example.com'],
    autoCapture: true,
    ssoConfigured: true,
    defaultLicense: 'org-free-license',
    ...settings,
  });
  if (org.status !== 201) throw new Error(`creating an org failed: ${JSON.stringify(org.body)}`);
  const ids: Record<string, string> = {};
  for (const [index, name] of workspaces.entries()) {
    const workspace = await admin.post(`/orgs/${org.body.id}/workspaces`, { name, isDefault: index === 0 });
    if (workspace.status !== 201)
      throw new Error(`creating workspace ${name} failed: ${JSON.stringify(workspace.body)}`);
    ids[name] = workspace.body.id;
  }
  const token = await admin.post(`/orgs/${org.body.id}/scim-tokens`, {});
  if (token.status !== 201) throw new Error(`issuing a token failed: ${JSON.stringify(token.body)}`);
  return {
    orgId: org.body.id,
    tokenId: token.body.id,
    scim: scimClient(stack.scimBaseUrl, token.body.token),
    admin,
    workspaces: ids,
  };
};

/** A fresh organization with no workspaces, so tests in one stack never see each other's data. */
export const newOrganization = (
  stack: RunningStack,
  settings: Record<string, unknown> = {},
): Promise<TestOrg> => setUpOrganization(stack, { workspaces: [], ...settings });

export const ROSTER_USER = 'urn:roster:params:scim:schemas:extension:provisioning:1.0:User';
