/**
 * Work of this process that touches an organization waits for the work before it that touched
 * the same organization: its transactions then never conflict with each other on the
 * organization's seat counts. Work names all its organizations at once and queues behind every
 * earlier holder of any of them, so two pieces of work never wait on each other.
 */
export class TenantQueue {
  readonly #last = new Map<string, Promise<void>>();

  async holding<T>(tenants: readonly string[], work: () => Promise<T>): Promise<T> {
    const names = [...new Set(tenants)];
    const before = names.map((tenant) => this.#last.get(tenant));
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    for (const tenant of names) this.#last.set(tenant, finished);
    await Promise.all(before);
    try {
      return await work();
    } finally {
      done();
      for (const tenant of names) if (this.#last.get(tenant) === finished) this.#last.delete(tenant);
    }
  }
}
