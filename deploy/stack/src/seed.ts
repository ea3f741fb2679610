import { existsSync, readFileSync } from 'node:fs';

export interface DemoCredentials {
  scimBaseUrl: string;
  scimToken: string;
  adminToken: string;
  orgId: string;
  kafkaBrokers: string;
  mongoUrl: string;
}

const adminCall = async (
  baseUrl: string,
  adminToken: string,
  method: string,
  path: string,
  body?: unknown,
) => {
  const response = await fetch(`${baseUrl}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

const expectCreated = (what: string, result: { status: number; json: Record<string, unknown> }) => {
  if (result.status !== 201)
    throw new Error(`seeding ${what} failed: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json;
};

/**
 * A demo organization (SSO configured, auto-capture for example.com, default workspace
 * "Everyone") with a SCIM token, created once per data dir and reused on later starts.
 */
export const seedDemoOrganization = async (
  ingressUrl: string,
  adminToken: string,
  credentialsFile: string,
): Promise<{ orgId: string; scimToken: string }> => {
  if (existsSync(credentialsFile)) {
    const saved = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    const org = await adminCall(ingressUrl, adminToken, 'GET', `/orgs/${saved.orgId}`);
    if (org.status === 200) return { orgId: saved.orgId, scimToken: saved.scimToken };
  }
  const org = expectCreated(
    'organization',
    await adminCall(ingressUrl, adminToken, 'POST', '/orgs', {
      name: 'Demo Organization',
      domains: ['example.com'],
      autoCapture: true,
      ssoConfigured: true,
      defaultLicense: 'org-free-license',
    }),
  );
  expectCreated(
    'default workspace',
    await adminCall(ingressUrl, adminToken, 'POST', `/orgs/${org.id}/workspaces`, {
      name: 'Everyone',
      isDefault: true,
    }),
  );
  const token = expectCreated(
    'SCIM token',
    await adminCall(ingressUrl, adminToken, 'POST', `/orgs/${org.id}/scim-tokens`),
  );
  return { orgId: String(org.id), scimToken: String(token.token) };
};
