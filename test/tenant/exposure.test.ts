import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingressUrlOf, newUser } from '../src/fixtures.ts';
import { newOrganization } from '../src/org.ts';
import { stackProcess } from '../src/processes.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack({ HOST: '0.0.0.0' });
});
afterAll(async () => {
  await stack?.stop();
});

/** `0100007F:1F90` → `127.0.0.1:8080` (IPv4 in /proc/net/tcp is little-endian hex). */
const ipv4 = (hex: string): string => {
  const [address, port] = hex.split(':') as [string, string];
  const octets = address
    .match(/../g)!
    .map((byte) => Number.parseInt(byte, 16))
    .reverse();
  return `${octets.join('.')}:${Number.parseInt(port, 16)}`;
};

/** The addresses a process listens on (Linux /proc: its socket inodes matched against the TCP tables). */
const listeningAddresses = (pid: number): string[] => {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return match ? [match[1]!] : [];
      } catch {
        return []; // closed in between
      }
    }),
  );
  const LISTEN = '0A';
  return (['tcp', 'tcp6'] as const).flatMap((table) =>
    readFileSync(`/proc/net/${table}`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === LISTEN && inodes.has(fields[9]!))
      .map((fields) => (table === 'tcp' ? ipv4(fields[1]!) : `[${fields[1]}]`)),
  );
};

const listenersOf = (name: string): string[] => {
  const process = stackProcess(stack.pid, name);
  if (!process) throw new Error(`${name} is not running`);
  return listeningAddresses(process.pid);
};

describe('HOST governs the ingress only', () => {
  test('with HOST=0.0.0.0 the ingress listens on every interface, everything else on loopback', () => {
    expect(stack.kafkaBrokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(stack.mongoUrl).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\//);
    expect(listenersOf('ingress').some((address) => address.startsWith('0.0.0.0:'))).toBe(true);
    for (const name of ['kafka', 'mongo', 'content-transfer', 'licensing', 'membership', 'status']) {
      for (const address of listenersOf(name)) expect(`${name} ${address}`).toMatch(/ 127\.0\.0\.1:\d+$/);
    }
    // The broker, and its request counts for Prometheus.
    expect(listenersOf('kafka').sort()).toEqual(
      [stack.kafkaBrokers, new URL(stack.metrics.kafka!).host].sort(),
    );
    // Its development content endpoint and its ops listener (health, readiness, metrics).
    expect(listenersOf('content-transfer')).toHaveLength(2);
  });
});

describe('the development content-seeding endpoint', () => {
  /** content-transfer's listener that is not its ops listener (health, readiness, metrics). */
  const seedingUrl = () => {
    const ops = new URL(stack.metrics['content-transfer']!).host;
    const seeding = listenersOf('content-transfer').find((address) => address !== ops);
    return `http://${seeding}/internal/content`;
  };
  const seed = (authorization?: string) =>
    fetch(seedingUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ tenant: 'any-tenant', ownerUserId: 'any-user', title: 'Not allowed' }),
    });

  test('refuses a request without the admin token, or with another token', async () => {
    expect((await seed()).status).toBe(401);
    expect((await seed('Bearer not-the-admin-token')).status).toBe(401);
  });

  test('through the admin API: only for a user of that organization', async () => {
    const org = await newOrganization(stack);
    const other = await newOrganization(stack);
    const owner = await org.scim.post('/Users', newUser('owner@example.com'));
    expect(owner.status).toBe(201);
    const seedFor = (orgId: string, ownerUserId: string) =>
      org.admin.post(`/orgs/${orgId}/content`, { ownerUserId, title: 'Onboarding video' });

    expect((await seedFor(org.orgId, owner.body.id)).status).toBe(201);
    expect((await seedFor(other.orgId, owner.body.id)).status).toBe(404);
    expect((await seedFor(org.orgId, 'no-such-user')).status).toBe(404);
    const anonymous = await fetch(`${ingressUrlOf(stack)}/admin/v1/orgs/${org.orgId}/content`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ownerUserId: owner.body.id, title: 'Onboarding video' }),
    });
    expect(anonymous.status).toBe(401);
    const listed = await org.admin.get(`/orgs/${org.orgId}/content?ownerUserId=${owner.body.id}`);
    expect(listed.body.items).toHaveLength(1);
  });
});
