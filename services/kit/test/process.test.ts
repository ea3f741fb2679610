import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const FAILING_SERVICE = fileURLToPath(new URL('./fixtures/failing-service.ts', import.meta.url));

/** Runs the fixture service until it exits: its exit code and what it printed. */
const run = (failure: string): Promise<{ code: number | null; stdout: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [FAILING_SERVICE, failure], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LOG_LEVEL: 'fatal' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.once('exit', (code) => resolve({ code, stdout }));
  });

test.each(['consumer-crash', 'uncaught-exception', 'unhandled-rejection'])(
  'a service that breaks after READY (%s) logs why, stops and exits 1 for its supervisor to restart it',
  async (failure) => {
    const { code, stdout } = await run(failure);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^READY \{"service":"failing","ops":"http:\/\/127\.0\.0\.1:\d+"\}$/);
    expect(lines.some((line) => line.includes('"level":60') && line.includes('exiting'))).toBe(true);
    // The fatal log line is written asynchronously: it may come before or after the stop.
    expect(lines).toContain('stopped');
  },
);
