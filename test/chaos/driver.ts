import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@roster/test-support';
import { stackProcess, stackProcesses } from '../src/processes.ts';
import type { RunningStack } from '../src/stack.ts';

export interface ChaosCounters {
  kills: number;
  stops: number;
  /** SIGKILLs per process name. */
  killed: Record<string, number>;
  /** Processes the supervisor did not bring back (READY again) within the deadline. */
  notRestarted: string[];
}

const RESTART_DEADLINE_MS = 90_000;
const readyLines = (stack: RunningStack, name: string) =>
  stack.output.filter((line) => line.startsWith(`[${name}] READY`)).length;

const shuffled = <T>(items: T[]): T[] =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

/**
 * Kills (SIGKILL) and freezes (SIGSTOP, then SIGCONT a few seconds later) random stack processes
 * until stopped. Victims come from shuffled rounds over every process, so the broker and the store
 * are hit as often as the services; after a kill it waits until the supervisor has the process
 * READY again, so every kill hits a working stack.
 */
export class ChaosDriver {
  readonly counters: ChaosCounters = { kills: 0, stops: 0, killed: {}, notRestarted: [] };
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  readonly #stack: RunningStack;
  readonly #intervalMs: number;

  constructor(stack: RunningStack, intervalMs: number) {
    this.#stack = stack;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<ChaosCounters> {
    this.#running = false;
    await this.#loop;
    return this.counters;
  }

  async #run() {
    let round: string[] = [];
    while (this.#running) {
      await sleep(this.#intervalMs * (0.5 + Math.random()));
      if (!this.#running) return;
      if (round.length === 0) round = shuffled(stackProcesses(this.#stack.pid).map((p) => p.name));
      const name = round.pop();
      const victim = name ? stackProcess(this.#stack.pid, name) : undefined;
      if (!victim) continue;
      if (Math.random() < 0.6) await this.#kill(victim.name, victim.pid);
      else await this.#freeze(victim.pid);
    }
  }

  async #kill(name: string, pid: number) {
    const readyBefore = readyLines(this.#stack, name);
    process.kill(pid, 'SIGKILL');
    this.counters.kills++;
    this.counters.killed[name] = (this.counters.killed[name] ?? 0) + 1;
    await waitFor(() => readyLines(this.#stack, name) > readyBefore, {
      timeoutMs: RESTART_DEADLINE_MS,
      intervalMs: 100,
      what: `${name} to be READY again`,
    }).catch(() => this.counters.notRestarted.push(name));
  }

  async #freeze(pid: number) {
    process.kill(pid, 'SIGSTOP');
    this.counters.stops++;
    try {
      await sleep(1_000 + Math.random() * 3_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }
}
