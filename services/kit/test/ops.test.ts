import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { waitFor } from '../src/testing/index.ts';

const OPS_SERVICE = fileURLToPath(new URL('./fixtures/ops-service.ts', import.meta.url));

let child: ChildProcess;
let dir: string;
let ready: { ops: string; metrics?: string };
const output: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roster-ops-'));
  writeFileSync(join(dir, 'ready'), '');
  child = spawn(process.execPath, [OPS_SERVICE, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n')));
  await waitFor(() => output.some((line) => line.startsWith('READY ')), { timeoutMs: 20_000 });
  ready = JSON.parse(output.find((line) => line.startsWith('READY '))!.slice('READY '.length));
});
afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('READY names the ops listener and the Prometheus endpoint; /healthz answers while the process lives', async () => {
  expect(ready.metrics).toBe(`${ready.ops}/metrics`);
  const health = await fetch(`${ready.ops}/healthz`);
  expect(health.status).toBe(200);
});

test('/readyz answers 200 while every check holds and 503 naming the failing check when one does not', async () => {
  const readyNow = await fetch(`${ready.ops}/readyz`);
  expect(readyNow.status).toBe(200);
  expect(await readyNow.json()).toEqual({ status: 'ready', checks: { marker: 'ok' } });
  rmSync(join(dir, 'ready'));
  const notReady = await fetch(`${ready.ops}/readyz`);
  expect(notReady.status).toBe(503);
  expect(await notReady.json()).toEqual({ status: 'not ready', checks: { marker: 'marker file is gone' } });
  writeFileSync(join(dir, 'ready'), '');
});

test('/readyz answers 503 within its time bound when a check never answers', async () => {
  writeFileSync(join(dir, 'hang'), '');
  try {
    const response = await fetch(`${ready.ops}/readyz`, { signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not ready',
      checks: { marker: 'no answer within 2000 ms' },
    });
  } finally {
    rmSync(join(dir, 'hang'));
  }
});

test('/metrics serves the OTel metrics as Prometheus text, with the service name', async () => {
  const response = await fetch(ready.metrics!);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  expect(text).toMatch(/^roster_fixture_started_total\{.*\} 1$/m);
  expect(text).toContain('service_name="roster-ops-fixture"');
});

test('log lines never carry credentials', async () => {
  await waitFor(() => output.some((line) => line.includes('credentials in a log line')), {
    timeoutMs: 10_000,
  });
  const line = JSON.parse(output.find((l) => l.includes('credentials in a log line'))!);
  expect(line.req.headers.authorization).toBe('[redacted]');
  expect(line.token).toBe('[redacted]');
  expect(line.org).toBe('acme');
  expect(output.join('\n')).not.toContain('s3cret');
});

test('a log line written inside a span names its trace and span; one outside has neither', async () => {
  const lineOf = (message: string) =>
    waitFor(() => output.find((line) => line.includes(`"msg":"${message}"`)), { timeoutMs: 10_000 });
  expect(JSON.parse(await lineOf('inside a span'))).toMatchObject({
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
  });
  expect(JSON.parse(await lineOf('credentials in a log line'))).not.toHaveProperty('trace_id');
});
