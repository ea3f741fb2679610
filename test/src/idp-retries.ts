/**
 * Calls made again after a 429 or 503 and its Retry-After, as an IdP's connector does; counted
 * (in a benchmark each is a missed deadline). `maxWaitMs` shortens the waits (a test polls sooner:
 * a refused call costs nothing).
 */
export class IdpRetries {
  count = 0;
  readonly #maxWaitMs: number;

  constructor({ maxWaitMs = Number.POSITIVE_INFINITY }: { maxWaitMs?: number } = {}) {
    this.#maxWaitMs = maxWaitMs;
  }

  async call<T extends { status: number; headers: Headers }>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      const response = await call();
      if (response.status !== 503 && response.status !== 429) return response;
      this.count++;
      const retryAfterMs = Number(response.headers.get('retry-after') ?? 1) * 1000;
      await new Promise((resume) => setTimeout(resume, Math.min(retryAfterMs, this.#maxWaitMs)));
    }
  }
}
