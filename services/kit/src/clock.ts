/** Time as domain code sees it: passed in, so pure code never reads the system clock. */
export interface Clock {
  /** The current time as an ISO-8601 string (UTC). */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };
