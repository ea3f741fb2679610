/**
 * `npm start`: the whole Roster stack on one machine with no external servers. Starts the
 * embedded broker and store (unless KAFKA_BROKERS / MONGO_URL point at real ones), the step
 * consumers (licensing, membership, content transfer), the status service and the ingress in
 * development mode, supervises them, seeds a demo organization, and prints one line
 * `READY {...}` with everything a developer or a test needs (also written to
 * $ROSTER_DATA_DIR/dev-credentials.json).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePort } from './ports.ts';
import { type DemoCredentials, seedDemoOrganization } from './seed.ts';
import { type SupervisedService, supervise } from './supervisor.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const env = process.env;
// HOST is where the ingress listens, nothing else: the embedded servers have no authentication and
// bind loopback unless KAFKA_HOST / MONGO_HOST say otherwise; the consumers listen on loopback.
const LOOPBACK = '127.0.0.1';
const host = env.HOST || LOOPBACK;
const embeddedHosts = { kafka: env.KAFKA_HOST || LOOPBACK, mongo: env.MONGO_HOST || LOOPBACK };
const dataDir = resolve(env.ROSTER_DATA_DIR || '.data');
mkdirSync(dataDir, { recursive: true });

const persistentSecret = (file: string): string => {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
};

const services: SupervisedService[] = [];
const run = (name: string, script: string, args: string[], serviceEnv: NodeJS.ProcessEnv = {}) => {
  const service = supervise({ name, script: join(root, script), args, env: serviceEnv });
  services.push(service);
  return service;
};

/**
 * One of Roster's services, with its telemetry loaded first. Each process gets its own
 * service.name: OTEL_SERVICE_NAME, if set for the whole stack, becomes the prefix (`roster` by default).
 */
const serviceNamePrefix = env.OTEL_SERVICE_NAME || 'roster';
const runRosterService = (name: string, serviceEnv: NodeJS.ProcessEnv) => {
  const service = supervise({
    name,
    script: join(root, `services/${name}/src/main.ts`),
    imports: [join(root, `services/${name}/src/telemetry.ts`)],
    env: { ...serviceEnv, OTEL_SERVICE_NAME: `${serviceNamePrefix}-${name}` },
  });
  services.push(service);
  return service;
};

/** Each process's Prometheus scrape URL (the services', the embedded broker's), for the READY line. */
const metricsUrls = async (): Promise<Record<string, string>> => {
  const urls: Record<string, string> = {};
  for (const service of services) {
    const ready = await service.ready;
    if (typeof ready.metrics === 'string') urls[service.name] = ready.metrics;
  }
  return urls;
};

let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  // Services first (they flush and commit), then the servers they talk to.
  for (const service of [...services].reverse()) await service.stop();
  process.exit(code);
};
// A second Ctrl-C while stopping is ignored: leaving now would orphan the services.
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** Starts one embedded development server; resolves with its READY details. */
const embedded = async (
  name: 'kafka' | 'mongo',
  portSetting: string | undefined,
  fallback: number,
  extraArgs: string[] = [],
) => {
  const port = String(await resolvePort(portSetting, fallback, embeddedHosts[name]));
  const args = [
    '--port',
    port,
    '--host',
    embeddedHosts[name],
    '--data-dir',
    join(dataDir, name),
    ...extraArgs,
  ];
  return run(name, `deploy/embedded/${name}/src/main.ts`, args).ready;
};
// How often the store's TTL monitor removes expired entries (mongod: every 60 s).
/**
 * The embedded broker, whose request counts (Prometheus text) join the services' metrics on a
 * fixed port, so the READY line's URL survives a restart.
 */
const embeddedKafka = async (): Promise<string> => {
  const metricsPort = String(await resolvePort(undefined, 0, embeddedHosts.kafka));
  return String((await embedded('kafka', env.KAFKA_PORT, 9092, ['--metrics-port', metricsPort])).brokers);
};

const mongoArgs = env.MONGO_TTL_MONITOR_SECONDS
  ? ['--ttl-monitor-seconds', env.MONGO_TTL_MONITOR_SECONDS]
  : [];

try {
  const adminToken = env.ROSTER_ADMIN_TOKEN || persistentSecret('admin-token');
  const kafkaBrokers = env.KAFKA_BROKERS || (await embeddedKafka());
  const mongoUrl = env.MONGO_URL || String((await embedded('mongo', env.MONGO_PORT, 27017, mongoArgs)).url);
  const serviceEnv = {
    KAFKA_BROKERS: kafkaBrokers,
    MONGO_URL: mongoUrl,
    ROSTER_TOPIC_PARTITIONS: env.ROSTER_TOPIC_PARTITIONS ?? '',
  };
  const port = await resolvePort(env.PORT, 8080, host);
  // The consumers first: the ingress forwards development content seeding to content-transfer.
  // A fixed port, so the ingress's forwarding address survives a restart of content-transfer.
  const contentPort = String(await resolvePort(env.ROSTER_CONTENT_PORT, 0, LOOPBACK));
  const consumers = ['licensing', 'membership', 'content-transfer'].map((name) =>
    runRosterService(name, {
      ...serviceEnv,
      ROSTER_DEV_MODE: 'true',
      ROSTER_CONTENT_PORT: contentPort,
      // The seeding endpoint takes the admin token the ingress forwards.
      ROSTER_ADMIN_TOKEN: adminToken,
    }),
  );
  const status = runRosterService('status', {
    ...serviceEnv,
    ROSTER_AWAIT_STEPS: env.ROSTER_AWAIT_STEPS ?? 'licensing,membership',
  });
  const [, , contentTransfer] = await Promise.all(consumers.map((c) => c.ready));
  await status.ready;
  const ingress = await runRosterService('ingress', {
    ...serviceEnv,
    HOST: host,
    PORT: String(port),
    ROSTER_ADMIN_TOKEN: adminToken,
    ROSTER_DEV_MODE: 'true',
    ROSTER_CONTENT_URL: String(contentTransfer?.url ?? ''),
  }).ready;
  const ingressUrl = String(ingress.url);
  const credentialsFile = join(dataDir, 'dev-credentials.json');
  const { orgId, scimToken } = await seedDemoOrganization(ingressUrl, adminToken, credentialsFile);
  const credentials: DemoCredentials = {
    scimBaseUrl: `${ingressUrl}/scim/v2`,
    scimToken,
    adminToken,
    orgId,
    kafkaBrokers,
    mongoUrl,
  };
  writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(`READY ${JSON.stringify({ ...credentials, metrics: await metricsUrls() })}\n`);
} catch (err) {
  process.stderr.write(`stack failed to start: ${(err as Error).stack ?? String(err)}\n`);
  await stopAll(1);
}
