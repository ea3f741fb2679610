/** Bounds of a backpressure Retry-After: never "now", never so long an IdP gives up on us. */
export const MIN_RETRY_AFTER_SECONDS = 1;
export const MAX_RETRY_AFTER_SECONDS = 60;

export type BackpressureReason = 'command_lag' | 'writes_in_flight';

/** Past these, new SCIM writes are refused at once instead of waiting out their deadline. */
export interface BackpressureLimits {
  /** Commands published but not yet taken by the status service (all replicas together). */
  commandLag: number;
  /** SCIM writes this replica has admitted and not yet answered. */
  writesInFlight: number;
}

export interface PipelineLoad {
  /** Unknown while the broker cannot be asked: then it refuses nothing. */
  commandLag: number | undefined;
  writesInFlight: number;
  /** Command results per second, all replicas' (what drains the command lag). */
  resultsPerSecond: number;
  /** Writes this replica answers per second (what drains its writes in flight). */
  answersPerSecond: number;
}

export interface Refusal {
  reason: BackpressureReason;
  retryAfterSeconds: number;
  detail: string;
}

/** Seconds until `backlog` is worked off at `perSecond`, bounded; the maximum when nothing drains. */
export const secondsToDrain = (backlog: number, perSecond: number): number => {
  if (!(perSecond > 0)) return MAX_RETRY_AFTER_SECONDS;
  const seconds = Math.ceil(backlog / perSecond);
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, seconds));
};

/**
 * Whether a new SCIM write must be refused, and for how long the IdP should back off: the time
 * the pipeline needs, at its current drain rate, to work off what is already queued ahead.
 */
export const refusalOf = (load: PipelineLoad, limits: BackpressureLimits): Refusal | undefined => {
  if (load.commandLag !== undefined && load.commandLag > limits.commandLag) {
    return {
      reason: 'command_lag',
      retryAfterSeconds: secondsToDrain(load.commandLag, load.resultsPerSecond),
      detail: `${load.commandLag} changes are waiting to be processed; retry later`,
    };
  }
  if (load.writesInFlight >= limits.writesInFlight) {
    return {
      reason: 'writes_in_flight',
      retryAfterSeconds: secondsToDrain(load.writesInFlight, load.answersPerSecond),
      detail: `${load.writesInFlight} changes are in progress; retry later`,
    };
  }
  return undefined;
};
