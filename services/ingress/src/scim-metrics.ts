import { metrics } from '@opentelemetry/api';
import type { BackpressureReason } from './backpressure/policy.ts';

/**
 * The ingress's SCIM metrics (meter `roster`). Attributes stay low-cardinality: command types,
 * status codes and reasons, never tenant ids (those go on spans and logs). Without an SDK these
 * are no-ops.
 */
const meter = metrics.getMeter('roster');

const writeDuration = meter.createHistogram('roster.scim.write.duration', {
  description: 'End-to-end latency of a SCIM write, from the request to its answer',
  unit: 's',
  advice: { explicitBucketBoundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
});
const deadlineMisses = meter.createCounter('roster.scim.deadline_misses', {
  description: 'SCIM writes answered 503 because the pipeline did not decide them within the deadline',
});
const writesInFlight = meter.createUpDownCounter('roster.scim.writes_in_flight', {
  description: 'SCIM writes admitted by this replica and not yet answered',
});
const backpressureRejections = meter.createCounter('roster.backpressure.rejections', {
  description: 'SCIM writes refused at once (503 + Retry-After) because the pipeline is overloaded',
});

export const scimMetrics = {
  writeAnswered(commandType: string, status: number, seconds: number): void {
    writeDuration.record(seconds, {
      'roster.command.type': commandType,
      'http.response.status_code': status,
    });
  },
  deadlineMissed(commandType: string | undefined): void {
    deadlineMisses.add(1, commandType ? { 'roster.command.type': commandType } : {});
  },
  writeAdmitted(): void {
    writesInFlight.add(1);
  },
  writeFinished(): void {
    writesInFlight.add(-1);
  },
  writeRefused(reason: BackpressureReason): void {
    backpressureRejections.add(1, { 'roster.backpressure.reason': reason });
  },
};
