interface Submitted<T> {
  share: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers the shares submitted within one event-loop turn and hands them to `run` at once.
 * kafkajs hands the partitions one fetch brought to concurrent `eachBatch` calls started in the
 * same turn, and fetches again only once all of them returned: handled together, a fetch costs one
 * unit of work (one read and one write per collection) instead of one per partition. Each
 * submission settles as the run that took it does.
 */
export class FetchedTogether<T> {
  readonly #run: (shares: T[]) => Promise<void>;
  readonly #pending: Submitted<T>[] = [];

  constructor(run: (shares: T[]) => Promise<void>) {
    this.#run = run;
  }

  submit(share: T): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ share, resolve, reject }) === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const taken = this.#pending.splice(0);
    try {
      await this.#run(taken.map((submitted) => submitted.share));
    } catch (error) {
      for (const submitted of taken) submitted.reject(error);
      return;
    }
    for (const submitted of taken) submitted.resolve();
  }
}
