import { setTimeout as sleep } from 'node:timers/promises';
import { whileFrozen } from '../src/processes.ts';

// A call sent just before the thaw may still be answered from the outage (its deadline runs on).
const RECOVERY_GRACE_MS = 15_000;

/** The periods in which an injected outage excuses an honest 503. */
export class OutageWindows {
  readonly #windows: { from: number; until: number }[] = [];

  covers = (sentAt: number): boolean => this.#windows.some((w) => sentAt >= w.from && sentAt <= w.until);

  /** Freezes the stack process `name` (SIGSTOP) for `durationMs`, thawing it in any case. */
  async freeze(supervisorPid: number, name: string, durationMs: number): Promise<void> {
    const window = { from: Date.now(), until: Number.POSITIVE_INFINITY };
    this.#windows.push(window);
    try {
      await whileFrozen(supervisorPid, name, () => sleep(durationMs));
    } finally {
      window.until = Date.now() + RECOVERY_GRACE_MS;
    }
  }
}
