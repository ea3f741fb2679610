/**
 * @roster/embedded-process/testing — starting a development server the ways its tests need: as a
 * plain child process, through its npm script, or under a parent that never reaps it (so that a
 * `kill -9` leaves a zombie behind, as a busy supervisor does for a moment).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** The pinned Node 24, which runs the servers' .ts entry points directly. */
const NODE = join(REPOSITORY_ROOT, 'node_modules', '.bin', 'node');

export type Launch =
  /** `node <main.ts> …args` */
  | { main: string }
  /** `npm run <script> -- …args` from the repository root, as a developer starts it */
  | { npmScript: string }
  /** `node <main.ts>` in the background of a shell that then becomes `sleep` and never reaps it */
  | { main: string; unreaped: true };

export interface ServerChild {
  /** what was spawned: the server, npm, or the server's unreaping parent */
  readonly child: ChildProcess;
  /** the server's own pid (npm's for an npm script) */
  readonly pid: number;
  /** the READY line's JSON */
  readonly ready: Record<string, unknown>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts a server and resolves once it has printed its READY line. */
export async function spawnServer(
  launch: Launch,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerChild> {
  const child =
    'npmScript' in launch
      ? spawn('npm', ['run', '--silent', launch.npmScript, '--', ...args], { cwd: REPOSITORY_ROOT, env })
      : 'unreaped' in launch
        ? spawn('sh', ['-c', '"$0" "$@" & echo "PID $!"; exec sleep 3600', NODE, launch.main, ...args], {
            env,
          })
        : spawn(NODE, [launch.main, ...args], { env });
  child.stdin!.end();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let pid = 'unreaped' in launch ? undefined : child.pid;
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY line within 30 s; stderr: ${stderr}`)), 30_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before READY; stderr: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const announcedPid = /^PID (\d+)$/.exec(line);
      if (announcedPid) pid = Number(announcedPid[1]);
      const announcedReady = /^READY (\{.*\})$/.exec(line);
      if (announcedReady) {
        clearTimeout(timer);
        resolve(JSON.parse(announcedReady[1]!) as Record<string, unknown>);
      }
    });
  });
  if (pid === undefined) throw new Error('the server did not announce its pid');
  return { child, pid, ready, exited, stderr: () => stderr };
}

/** The servers a suite started, to be killed when it ends whatever happened. */
export class ServerProcesses {
  private readonly started: ServerChild[] = [];

  async start(...launch: Parameters<typeof spawnServer>): Promise<ServerChild> {
    const server = await spawnServer(...launch);
    this.started.push(server);
    return server;
  }

  killAll(): void {
    for (const s of this.started) s.child.kill('SIGKILL');
  }
}

/**
 * `kill -9` of a server started `unreaped`: resolves once it is a zombie — dead, but still in the
 * process table, as it is for a moment under any supervisor — so the restart that follows meets
 * a lock naming a process that still "exists".
 */
export async function kill9LeavingZombie(server: ServerChild): Promise<void> {
  process.kill(server.pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (!isZombie(server.pid)) {
    if (Date.now() > deadline) throw new Error(`process ${server.pid} did not become a zombie within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Has `pid` died without being reaped (state Z in /proc/<pid>/stat)? */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Does anything accept TCP connections on `host:port`? */
export function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `npm run <script> -- --port 0` from the repository root, then stops npm with SIGTERM as a
 * terminal or process manager would. npm returns once its script has exited, so by then nothing
 * may listen on the server's address any more.
 */
export async function stopNpmScriptWithSigterm(
  script: string,
  address: (ready: Record<string, unknown>) => { host: string; port: number },
): Promise<{
  listeningBefore: boolean;
  npmExit: { code: number | null; signal: string | null };
  listeningAfter: boolean;
}> {
  const server = await spawnServer({ npmScript: script }, ['--port', '0']);
  try {
    const { host, port } = address(server.ready);
    const listeningBefore = await acceptsConnections(host, port);
    server.child.kill('SIGTERM');
    const npmExit = await server.exited;
    return { listeningBefore, npmExit, listeningAfter: await acceptsConnections(host, port) };
  } finally {
    server.child.kill('SIGKILL');
  }
}
