import { adminClient, type ScimClient, scimClient } from './scim-client.ts';
import type { RunningStack } from './stack.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const ingressUrlOf = (stack: RunningStack): string => stack.scimBaseUrl.replace(/\/scim\/v2$/, '');

/** A fresh organization with a SCIM token, so tests in one stack never see each other's data. */
export const newOrganization = async (
  stack: RunningStack,
  settings: Record<string, unknown> = {},
): Promise<{ orgId: string; scim: ScimClient; tokenId: string }> => {
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
  const token = await admin.post(`/orgs/${org.body.id}/scim-tokens`, {});
  if (token.status !== 201) throw new Error(`issuing a token failed: ${JSON.stringify(token.body)}`);
  return {
    orgId: org.body.id,
    scim: scimClient(stack.scimBaseUrl, token.body.token),
    tokenId: token.body.id,
  };
};

export const newUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  ...extra,
});
