import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import {
  isZombie,
  kill9LeavingZombie,
  type ServerChild,
  ServerProcesses,
  stopNpmScriptWithSigterm,
} from '@roster/embedded-process/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { client, PACKAGE_DIR, tempDir } from './helpers.ts';

const main = path.join(PACKAGE_DIR, 'src/main.ts');
const servers = new ServerProcesses();
afterAll(() => servers.killAll());
const brokersOf = (server: ServerChild): string => String(server.ready.brokers);

describe('the broker as a process', () => {
  it('counts the requests it serves, by API, as Prometheus text that promtool accepts', async () => {
    const server = await servers.start({ main }, ['--port', '0', '--metrics-port', '0']);
    const scrape = async () => {
      const response = await fetch(String(server.ready.metrics));
      expect(response.status).toBe(200);
      return response.text();
    };
    const producesIn = (text: string) =>
      Number(/^kafka_network_requests_total\{request="Produce"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    const before = await scrape();
    const producer = client(brokersOf(server)).producer();
    await producer.connect();
    await producer.send({ topic: 'counted', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.send({ topic: 'counted', messages: [{ value: 'd' }] });
    await producer.disconnect();
    const after = await scrape();
    // Two sends, two Produce requests, whatever the number of messages: a send's batches for
    // one broker travel in one request.
    expect(producesIn(after) - producesIn(before)).toBe(2);
    expect(after).toMatch(/^kafka_network_requests_total\{request="Metadata"\} [1-9]/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: after, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stderr}${check.stdout}`).not.toMatch(/error/i);
  });

  it('restarts on its data dir right after kill -9, before the dead broker is reaped', async () => {
    const dataDir = await tempDir('zombie');
    const first = await servers.start({ main, unreaped: true }, ['--port', '0', '--data-dir', dataDir]);
    const producer = client(brokersOf(first)).producer();
    await producer.connect();
    await producer.send({ topic: 'kept', messages: [{ value: 'before the crash' }] });
    await producer.disconnect();

    await kill9LeavingZombie(first);
    const second = await servers.start({ main }, ['--port', '0', '--data-dir', dataDir]);
    expect(isZombie(first.pid)).toBe(true); // the old lock really named a process that still "exists"
    expect(second.stderr()).toMatch(`taking over the stale lock of process ${first.pid}`);
    const admin = client(brokersOf(second)).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('kept');
    await admin.disconnect();
    expect(offsets.map((p) => Number(p.high)).reduce((a, b) => a + b, 0)).toBe(1);

    // while it runs, the data dir is its own
    await expect(servers.start({ main }, ['--port', '0', '--data-dir', dataDir])).rejects.toThrow(
      `data dir ${dataDir} is in use by process ${second.pid}`,
    );
  });

  it('stops when `npm run kafka:dev` is stopped with SIGTERM', async () => {
    const stopped = await stopNpmScriptWithSigterm('kafka:dev', (ready) => {
      const [host, port] = String(ready.brokers).split(':');
      return { host: host!, port: Number(port) };
    });
    expect(stopped).toEqual({
      listeningBefore: true,
      npmExit: { code: 0, signal: null },
      listeningAfter: false,
    });
  });

  it('still stops on SIGTERM once whoever read its output is gone', async () => {
    const server = await servers.start({ main }, ['--port', '0']);
    const closed = [once(server.child.stdout!, 'close'), once(server.child.stderr!, 'close')];
    server.child.stdout!.destroy();
    server.child.stderr!.destroy();
    await Promise.all(closed);
    // its next log line meets a closed pipe (EPIPE); that must not keep it from stopping
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('listens on loopback unless KAFKA_HOST says otherwise, never on HOST, and warns when exposed', async () => {
    const defaulted = await servers.start({ main }, ['--port', '0'], { ...process.env, HOST: '0.0.0.0' });
    expect(brokersOf(defaulted)).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(defaulted.stderr()).not.toMatch('WARNING');

    const exposed = await servers.start({ main }, ['--port', '0'], { ...process.env, KAFKA_HOST: '0.0.0.0' });
    expect(brokersOf(exposed)).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(exposed.stderr()).toMatch('WARNING: listening on 0.0.0.0');
    expect(exposed.stderr()).toMatch('no authentication');
    exposed.child.kill('SIGKILL');
  });
});
