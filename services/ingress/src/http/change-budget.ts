/** What charging a write to its organization's budget decided. */
export type Charge = { admitted: true; waitMs: number } | { admitted: false; retryAfterSeconds: number };

/**
 * Per-organization budgets of changes per second (a token bucket that may go into debt): a write
 * is admitted at once while its organization's balance is not negative and costs its changes,
 * however many (a write larger than a second's budget is not refused forever, it leaves a debt);
 * while the balance is negative, a write waits until the debt is repaid — when that is at most
 * `maxWaitMs`, it waits here (its changes reserved), beyond that it is refused with the seconds to
 * retry after and costs nothing. The balance refills at `perSecond`, up to one second's worth.
 * One entry per organization that wrote: as many as there are organizations.
 */
export class ChangeBudgets {
  readonly #balances = new Map<string, { balance: number; at: number }>();
  readonly #perSecond: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;

  constructor({
    perSecond,
    maxWaitMs,
    now = () => performance.now(),
  }: {
    perSecond: number;
    maxWaitMs: number;
    now?: () => number;
  }) {
    this.#perSecond = perSecond;
    this.#maxWaitMs = maxWaitMs;
    this.#now = now;
  }

  charge(tenant: string, changes: number): Charge {
    const now = this.#now();
    const balance = this.#balanceAt(tenant, now);
    const waitMs = balance >= 0 ? 0 : (-balance / this.#perSecond) * 1000;
    if (waitMs > this.#maxWaitMs) return { admitted: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
    this.#balances.set(tenant, { balance: balance - changes, at: now });
    return { admitted: true, waitMs };
  }

  #balanceAt(tenant: string, now: number): number {
    const last = this.#balances.get(tenant);
    if (!last) return this.#perSecond;
    return Math.min(this.#perSecond, last.balance + ((now - last.at) / 1000) * this.#perSecond);
  }
}
