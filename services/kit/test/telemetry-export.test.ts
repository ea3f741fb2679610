import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { waitFor } from '../src/testing/index.ts';

const OPS_SERVICE = fileURLToPath(new URL('./fixtures/ops-service.ts', import.meta.url));

/** An OTLP/HTTP JSON receiver: what arrived, by path. */
const received: { path: string; body: string }[] = [];
const receiver = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => {
    body += chunk.toString('utf8');
  });
  request.on('end', () => {
    received.push({ path: request.url ?? '', body });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
beforeAll(async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
});
afterAll(() => {
  receiver.close();
});

/** Runs the fixture service with `env` until it logged its span line; `stop()` ends it with SIGTERM. */
const runFixture = async (env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [OPS_SERVICE, '.'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  await waitFor(() => output.includes('"msg":"inside a span"'), { timeoutMs: 20_000, what: 'the fixture' });
  const ready = JSON.parse(/^READY (.*)$/m.exec(output)![1]!) as { ops: string; metrics?: string };
  return {
    ready,
    async stop() {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
};

const collector = () => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

test('configured by the standard OTEL_* variables only: OTLP http/json export of spans and metrics, flushed when the process stops', async () => {
  const fixture = await runFixture({
    OTEL_EXPORTER_OTLP_ENDPOINT: collector(),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=kit-test',
  });
  expect(await fixture.stop()).toBe(0);

  const bodyOf = (path: string) => received.find((r) => r.path === path)?.body ?? '';
  const traces = bodyOf('/v1/traces');
  expect(traces).toContain('"fixture work"');
  expect(traces).toContain('"stringValue":"roster-ops-fixture"');
  expect(traces).toContain('"stringValue":"kit-test"');
  expect(bodyOf('/v1/metrics')).toContain('"roster.fixture.started"');
});

test('OTEL_SDK_DISABLED=true: nothing exported even with an endpoint, no /metrics, health still served', async () => {
  received.length = 0;
  const fixture = await runFixture({
    OTEL_SDK_DISABLED: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector(),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  });
  try {
    expect(fixture.ready).not.toHaveProperty('metrics');
    expect((await fetch(`${fixture.ready.ops}/metrics`)).status).toBe(404);
    expect((await fetch(`${fixture.ready.ops}/healthz`)).status).toBe(200);
  } finally {
    expect(await fixture.stop()).toBe(0);
  }
  // Stopped, a process with an SDK would have flushed by now.
  expect(received).toEqual([]);
});
