/** How long an organization still counts as writing after its last write was answered. */
export const LINGER_MS = 1_000;

/**
 * Per-organization slots for writes in flight. An organization writing alone may hold `alone`
 * slots; while another one is writing too (or was, within LINGER_MS, so brief gaps between an
 * IdP's calls do not count as leaving), each may hold only `shared`: the pipeline is shared by
 * processing time, so what one organization holds in it is what the others wait behind.
 */
export class WriteSlots {
  /** Organizations writing now or lingering (0 held), and how many slots each holds. */
  readonly #held = new Map<string, number>();
  readonly #lingering = new Map<string, NodeJS.Timeout>();
  readonly #alone: number;
  readonly #shared: number;

  constructor({ alone, shared }: { alone: number; shared: number }) {
    this.#alone = alone;
    this.#shared = shared;
  }

  /** Takes a slot for `tenant`; false (nothing taken) when it holds its share already. */
  acquire(tenant: string): boolean {
    const held = this.#held.get(tenant) ?? 0;
    if (held >= (this.othersWriting(tenant) ? this.#shared : this.#alone)) return false;
    clearTimeout(this.#lingering.get(tenant));
    this.#lingering.delete(tenant);
    this.#held.set(tenant, held + 1);
    return true;
  }

  release(tenant: string): void {
    const held = (this.#held.get(tenant) ?? 1) - 1;
    this.#held.set(tenant, held);
    if (held > 0) return;
    const linger = setTimeout(() => {
      this.#lingering.delete(tenant);
      this.#held.delete(tenant);
    }, LINGER_MS);
    linger.unref();
    this.#lingering.set(tenant, linger);
  }

  /** Whether an organization other than `tenant` is writing (or lingering). */
  othersWriting(tenant: string): boolean {
    return this.#held.size - (this.#held.has(tenant) ? 1 : 0) > 0;
  }

  /** Slots `tenant` holds now. */
  heldBy(tenant: string): number {
    return this.#held.get(tenant) ?? 0;
  }
}
