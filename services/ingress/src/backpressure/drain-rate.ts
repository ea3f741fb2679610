/** How quickly the estimate forgets: events older than a few of these hardly count. */
const DEFAULT_TIME_CONSTANT_MS = 10_000;

/**
 * An exponentially smoothed rate of events (e.g. command results per second): every event adds
 * 1/τ, and the sum decays by e^(−Δt/τ), so a steady rate r converges to r and a stall fades to 0
 * within a few τ. Lazily decayed on use: no timer, O(1) per event.
 */
export class DrainRate {
  readonly #timeConstantMs: number;
  readonly #now: () => number;
  #perMs = 0;
  #at: number;

  constructor({ timeConstantMs = DEFAULT_TIME_CONSTANT_MS, now = Date.now } = {}) {
    this.#timeConstantMs = timeConstantMs;
    this.#now = now;
    this.#at = now();
  }

  record(events = 1): void {
    this.#decay();
    this.#perMs += events / this.#timeConstantMs;
  }

  perSecond(): number {
    this.#decay();
    return this.#perMs * 1000;
  }

  #decay(): void {
    const now = this.#now();
    this.#perMs *= Math.exp(-(now - this.#at) / this.#timeConstantMs);
    this.#at = now;
  }
}
