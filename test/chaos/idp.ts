import { setTimeout as sleep } from 'node:timers/promises';

/** What the IdP saw on the wire during the run. */
export interface IdpCounters {
  requests: number;
  retries: number;
  tooManyRequests: number;
  unavailable: number;
  /** 5xx other than 503: never honest, counted and retried as Okta would. */
  otherServerErrors: number;
  networkErrors: number;
  /** Calls that were still not answered with a definite result at the end of their deadline. */
  gaveUp: number;
  /** Every 5xx by status, method and first path segment, for the report. */
  serverErrors: Record<string, number>;
}

export interface IdpAnswer {
  status: number;
  body: any;
}

// Okta waits 60 s for an answer; a call is retried for at most five minutes, then given up.
const ANSWER_TIMEOUT_MS = 60_000;
const CALL_DEADLINE_MS = 300_000;
const MAX_RETRY_AFTER_MS = 30_000;

const retryAfterMs = (header: string | null, attempt: number): number => {
  const seconds = Number(header);
  const base = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : 250 * 2 ** Math.min(attempt, 5);
  return Math.min(MAX_RETRY_AFTER_MS, base) + Math.random() * 250;
};

/**
 * An HTTP client that behaves like an IdP's provisioning connector: on 429 and 503 it waits as
 * Retry-After says, on network errors and other 5xx it backs off, and it keeps retrying the same
 * request until a definite answer or its deadline. Every other answer is returned as it is.
 */
export class RetryingIdp {
  readonly counters: IdpCounters = {
    requests: 0,
    retries: 0,
    tooManyRequests: 0,
    unavailable: 0,
    otherServerErrors: 0,
    networkErrors: 0,
    gaveUp: 0,
    serverErrors: {},
  };

  readonly #baseUrl: string;
  readonly #token: string;
  readonly #contentType: string;

  constructor(baseUrl: string, token: string, contentType = 'application/scim+json') {
    this.#baseUrl = baseUrl;
    this.#token = token;
    this.#contentType = contentType;
  }

  /** The answer, or undefined if the call was given up (so the write is not acknowledged). */
  async call(method: string, path: string, body?: unknown): Promise<IdpAnswer | undefined> {
    const deadline = Date.now() + CALL_DEADLINE_MS;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.counters.retries++;
      this.counters.requests++;
      let wait: number;
      try {
        const response = await fetch(`${this.#baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.#token}`,
            ...(body === undefined ? {} : { 'content-type': this.#contentType }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
        });
        const text = await response.text();
        if (response.status >= 500) {
          const where = `${response.status} ${method} ${path.split('?')[0]!.replace(/[0-9a-f-]{36}/g, ':id')}`;
          this.counters.serverErrors[where] = (this.counters.serverErrors[where] ?? 0) + 1;
        }
        if (response.status === 429) this.counters.tooManyRequests++;
        else if (response.status === 503) this.counters.unavailable++;
        else if (response.status >= 500) this.counters.otherServerErrors++;
        else return { status: response.status, body: text ? JSON.parse(text) : undefined };
        wait = retryAfterMs(response.headers.get('retry-after'), attempt);
      } catch {
        this.counters.networkErrors++;
        wait = retryAfterMs(null, attempt);
      }
      if (Date.now() + wait > deadline) {
        this.counters.gaveUp++;
        return undefined;
      }
      await sleep(wait);
    }
  }
}
