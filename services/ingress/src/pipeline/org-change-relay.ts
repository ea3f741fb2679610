import { randomUUID } from 'node:crypto';
import type { Logger, Publisher } from '@roster/service-kit';
import type { OrgChangeOutbox } from '../store/org-change-outbox.ts';
import type { RelayLeases } from '../store/relay-leases.ts';

export interface RelayTiming {
  /** How often every org's leftovers (a crash, an outage, a lease that lapsed) are looked for. */
  sweepIntervalMs: number;
  /** How long an org's lease lasts unless renewed (before each batch). */
  leaseMs: number;
  /** How long `stop` waits for passes in progress (one may wait on a broker that is down). */
  stopWaitMs: number;
}

const BATCH = 100;

const waitAtMost = async (work: Promise<unknown>, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
};

/**
 * Publishes the org changes the admin API committed to the outbox: per org in commit order,
 * at least once (an entry published but not yet marked when a replica dies is published again,
 * with the same event id, which consumers dedupe), by the one replica holding the org's lease.
 * The publisher waits for the broker however long it is gone; the admin API does not wait on it.
 */
export class OrgChangeRelay {
  readonly #outbox: OrgChangeOutbox;
  readonly #leases: RelayLeases;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  readonly #timing: RelayTiming;
  /** This replica, as a lease owner. */
  readonly #owner = randomUUID();
  /** Per org: the pass publishing now, and the one queued behind it (at most one). */
  readonly #running = new Map<string, Promise<void>>();
  readonly #queued = new Map<string, Promise<void>>();
  #sweeper: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: {
    outbox: OrgChangeOutbox;
    leases: RelayLeases;
    publisher: Publisher;
    log: Logger;
    timing: RelayTiming;
  }) {
    this.#outbox = deps.outbox;
    this.#leases = deps.leases;
    this.#publisher = deps.publisher;
    this.#log = deps.log;
    this.#timing = deps.timing;
  }

  /** Publishes what is pending now, and sweeps again every interval. */
  start(): void {
    void this.sweep();
    this.#sweeper = setInterval(() => void this.sweep(), this.#timing.sweepIntervalMs);
  }

  /** Has the org's pending changes published; resolves once they are, or after `waitMs` at most. */
  announce(tenant: string, waitMs: number): Promise<void> {
    return waitAtMost(this.#pass(tenant), waitMs);
  }

  /** One pass for every org with pending changes; resolves when they are done. */
  async sweep(): Promise<void> {
    try {
      const tenants = await this.#outbox.pendingTenants();
      await Promise.all(tenants.map((tenant) => this.#pass(tenant)));
    } catch (err) {
      this.#log.warn({ err }, 'looking for unpublished org changes failed; retrying at the next sweep');
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweeper);
    // A pass stuck on a broker that is down is left behind: its entries stay pending for the next start.
    await waitAtMost(
      Promise.all([...this.#running.values(), ...this.#queued.values()]),
      this.#timing.stopWaitMs,
    );
  }

  /**
   * A pass for the org after the one in progress (which may have read the outbox before the
   * caller's commit); callers that ask while one is queued share it. Never rejects.
   */
  #pass(tenant: string): Promise<void> {
    const queued = this.#queued.get(tenant);
    if (queued) return queued;
    const previous = this.#running.get(tenant) ?? Promise.resolve();
    const pass: Promise<void> = previous.then(async () => {
      this.#queued.delete(tenant);
      this.#running.set(tenant, pass);
      try {
        await this.#publishPending(tenant);
      } catch (err) {
        this.#log.warn({ err, tenant }, 'publishing org changes failed; retrying at the next sweep');
      } finally {
        if (this.#running.get(tenant) === pass) this.#running.delete(tenant);
      }
    });
    this.#queued.set(tenant, pass);
    return pass;
  }

  async #publishPending(tenant: string): Promise<void> {
    const { leaseMs } = this.#timing;
    while (!this.#stopped && (await this.#leases.acquire(tenant, this.#owner, leaseMs))) {
      try {
        for (;;) {
          const entries = await this.#outbox.pending(tenant, BATCH);
          if (entries.length === 0) break;
          await this.#publisher.publish(
            'orgChanges',
            entries.map((entry) => entry.event),
          );
          await this.#outbox.markPublished(entries.map((entry) => entry._id));
          if (this.#stopped || !(await this.#leases.acquire(tenant, this.#owner, leaseMs))) return;
        }
      } finally {
        await this.#leases.release(tenant, this.#owner);
      }
      // A replica that committed while we held the lease found it taken and left its entry to us.
      if ((await this.#outbox.pending(tenant, 1)).length === 0) return;
    }
  }
}
