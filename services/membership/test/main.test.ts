import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@roster/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Infra, startInfra } from './helpers.ts';

const NODE = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let infra: Infra;

beforeAll(async () => {
  infra = await startInfra();
});

afterAll(async () => {
  await infra?.close();
});

describe('process entry point', () => {
  it('prints one READY line once running and exits cleanly on SIGTERM', async () => {
    const child = spawn(NODE, [MAIN], {
      env: {
        ...process.env,
        KAFKA_BROKERS: infra.config.kafkaBrokers.join(','),
        MONGO_URL: infra.config.mongoUrl,
        ROSTER_MONGO_DATABASE: infra.config.mongoDatabase,
        ROSTER_TOPIC_PARTITIONS: String(infra.config.topicPartitions),
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const exited = once(child, 'exit');
    try {
      await waitFor(() => stdout.includes('\n'), { what: 'the READY line' });
      // One READY line naming the service and its ops listener (health, readiness, metrics).
      expect(stdout).toMatch(/^READY \{"service":"membership","ops":"http:\/\/127\.0\.0\.1:\d+"\}\n$/);
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(stdout.split('\n').filter((line) => line.startsWith('READY'))).toHaveLength(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
