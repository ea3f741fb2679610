import {
  isZombie,
  kill9LeavingZombie,
  type ServerChild,
  ServerProcesses,
  stopNpmScriptWithSigterm,
} from '@roster/embedded-process/testing';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { type AnyDoc, MAIN as main, removeDir, tempDir } from './helpers.ts';

const servers = new ServerProcesses();
const dirs: string[] = [];
afterAll(async () => {
  servers.killAll();
  for (const d of dirs) await removeDir(d);
});
const urlOf = (server: ServerChild): string => String(server.ready.url);

describe('the store as a process', () => {
  it('restarts on its data dir right after kill -9, before the dead store is reaped', async () => {
    const dataDir = await tempDir('roster-mongo-zombie');
    dirs.push(dataDir);
    const first = await servers.start({ main, unreaped: true }, ['--port', '0', '--data-dir', dataDir]);
    const client = new MongoClient(urlOf(first));
    await client.db('app').collection<AnyDoc>('kept').insertOne({ _id: 'before the crash' });
    await client.close();

    await kill9LeavingZombie(first);
    const second = await servers.start({ main }, ['--port', '0', '--data-dir', dataDir]);
    expect(isZombie(first.pid)).toBe(true); // the old lock really named a process that still "exists"
    expect(second.stderr()).toMatch(`taking over the stale lock of process ${first.pid}`);
    const again = new MongoClient(urlOf(second));
    expect(await again.db('app').collection<AnyDoc>('kept').distinct('_id')).toEqual(['before the crash']);
    await again.close();

    await expect(servers.start({ main }, ['--port', '0', '--data-dir', dataDir])).rejects.toThrow(
      `data dir ${dataDir} is in use by process ${second.pid}`,
    );
  });

  it('stops when `npm run mongo:dev` is stopped with SIGTERM', async () => {
    const stopped = await stopNpmScriptWithSigterm('mongo:dev', (ready) => {
      const { hostname, port } = new URL(String(ready.url));
      return { host: hostname, port: Number(port) };
    });
    expect(stopped).toEqual({
      listeningBefore: true,
      npmExit: { code: 0, signal: null },
      listeningAfter: false,
    });
  });

  it('listens on loopback unless MONGO_HOST says otherwise, never on HOST, and warns when exposed', async () => {
    const defaulted = await servers.start({ main }, ['--port', '0'], { ...process.env, HOST: '0.0.0.0' });
    expect(defaulted.stderr()).toMatch(/listening on 127\.0\.0\.1:\d+/);
    expect(defaulted.stderr()).not.toMatch('WARNING');

    const exposed = await servers.start({ main }, ['--port', '0'], { ...process.env, MONGO_HOST: '0.0.0.0' });
    expect(exposed.stderr()).toMatch('WARNING: listening on 0.0.0.0');
    expect(exposed.stderr()).toMatch('no authentication');
    exposed.child.kill('SIGKILL');
  });
});
