import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newUser, PATCH_OP } from '../src/fixtures.ts';
import { newOrganization } from '../src/org.ts';
import { scimClient } from '../src/scim-client.ts';
import { type RunningStack, startStack, UNTHROTTLED_TENANTS } from '../src/stack.ts';

const INGRESS = resolve(dirname(fileURLToPath(import.meta.url)), '../../services/ingress/src/main.ts');

let stack: RunningStack;
let second: { url: string; stop(): Promise<void> };

/** A second ingress replica of the same deployment: same Kafka, same MongoDB, its own port. */
const startReplica = (): Promise<typeof second> =>
  new Promise((ready, fail) => {
    const child = spawn(process.execPath, [INGRESS], {
      env: {
        ...process.env,
        KAFKA_BROKERS: stack.kafkaBrokers,
        MONGO_URL: stack.mongoUrl,
        ROSTER_ADMIN_TOKEN: stack.adminToken,
        PORT: '0',
        LOG_LEVEL: 'warn',
        ...UNTHROTTLED_TENANTS,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('exit', (code) => fail(new Error(`replica exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      const { url } = JSON.parse(line.slice(6)) as { url: string };
      ready({
        url,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });

beforeAll(async () => {
  stack = await startStack();
  second = await startReplica();
});
afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

test('two ingress replicas answer each SCIM call with its own result, whichever replica took it', async () => {
  const org = await newOrganization(stack);
  const replicas = [org.scim, scimClient(`${second.url}/scim/v2`, await tokenOf(org))];
  const created = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      replicas[i % 2]!.post('/Users', newUser(`replica-${i}@example.com`)),
    ),
  );
  expect(created.map((r) => r.status)).toEqual(created.map(() => 201));
  expect(created.map((r) => r.body.userName)).toEqual(created.map((_, i) => `replica-${i}@example.com`));
  // Read-your-writes across replicas: a write through one is visible through the other.
  const [first] = created;
  const patched = await replicas[1]!.patch(`/Users/${first!.body.id}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', path: 'title', value: 'Replicated' }],
  });
  expect(patched.status).toBe(200);
  expect((await replicas[0]!.get(`/Users/${first!.body.id}`)).body.title).toBe('Replicated');
});

/** The org's SCIM token, issued anew for the second client (tokens are shown once). */
const tokenOf = async (org: Awaited<ReturnType<typeof newOrganization>>): Promise<string> => {
  const issued = await org.admin.post(`/orgs/${org.orgId}/scim-tokens`, {});
  return issued.body.token;
};
