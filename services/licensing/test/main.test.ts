import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS } from '@roster/contracts';
import { createOrganization, PARTITIONS, snapshot, waitFor } from '@roster/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Infra, newUserId, startInfra, startTraffic, type Traffic, userChanged } from './helpers.ts';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The pinned Node 24 (runs .ts directly) from the repository root. */
const NODE = path.resolve(PACKAGE_DIR, '../../node_modules/.bin/node');

let infra: Infra;
let traffic: Traffic;

beforeAll(async () => {
  infra = await startInfra();
});

afterAll(async () => {
  await traffic?.stop();
  await infra?.close();
});

describe('licensing process (src/main.ts)', () => {
  it('prints one READY line, handles changes and stops cleanly on SIGTERM', async () => {
    const org = await createOrganization(infra.db);
    const child = spawn(NODE, [path.join(PACKAGE_DIR, 'src/main.ts')], {
      env: {
        ...process.env,
        KAFKA_BROKERS: infra.broker.brokers,
        MONGO_URL: infra.store.url,
        ROSTER_MONGO_DATABASE: infra.database,
        ROSTER_TOPIC_PARTITIONS: String(PARTITIONS),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /^READY .*\n/m.test(stdout), { what: 'the READY line' });
      const readyLines = stdout.split('\n').filter((l) => l.startsWith('READY '));
      expect(readyLines).toHaveLength(1);
      // Its ops listener (health, readiness, metrics), on loopback.
      expect(JSON.parse(readyLines[0]!.slice('READY '.length))).toEqual({
        service: 'licensing',
        ops: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      });

      const admin = infra.kafka.admin();
      await admin.connect();
      const topics = await admin.fetchTopicMetadata({ topics: [TOPICS.directoryChanges.name] });
      await admin.disconnect();
      expect(topics.topics[0]!.partitions).toHaveLength(PARTITIONS);

      traffic = await startTraffic(infra.kafka);
      const change = userChanged(org._id, 1, snapshot(newUserId()));
      await traffic.produce(change);
      expect((await traffic.outcomeOf(change)).data.state).toEqual({
        step: 'licensing',
        license: org.defaultLicense,
        role: 'member',
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
