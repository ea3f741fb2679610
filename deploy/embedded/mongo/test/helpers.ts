import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { type RunningStore, startStore } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const MAIN = join(here, '..', 'src', 'main.ts');
/** The Node 24 the project pins (devDependency `node`), not whatever `node` is on PATH. */
export const NODE = join(here, '..', '..', '..', '..', 'node_modules', '.bin', 'node');

export interface Harness {
  store: RunningStore;
  client: MongoClient;
  close(): Promise<void>;
}

export async function startHarness(options: Parameters<typeof startStore>[0] = {}): Promise<Harness> {
  const store = await startStore({ port: 0, ...options });
  const client = new MongoClient(store.url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return {
    store,
    client,
    async close() {
      await client.close();
      await store.close();
    },
  };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface ChildStore {
  child: ChildProcess;
  url: string;
  stderr: string[];
  /** resolves with the exit code/signal */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs src/main.ts as a child process (with `nodeOptions`, e.g. a heap limit) and waits for its READY line. */
export async function spawnStore(args: string[], nodeOptions: string[] = []): Promise<ChildStore> {
  const child = spawn(NODE, [...nodeOptions, MAIN, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY line; stderr: ${stderr.join('')}`)), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /^READY (\{.*\})$/.exec(line);
      if (!m) reject(new Error(`unexpected first stdout line: ${line}`));
      else resolve((JSON.parse(m[1]!) as { url: string }).url);
    });
    child.once('exit', () => reject(new Error(`store exited before READY; stderr: ${stderr.join('')}`)));
  });
  return { child, url, stderr, exited };
}

/** Schema for test collections whose `_id`s are strings or numbers, not only ObjectIds. */
export type AnyDoc = any;
