import { metrics } from '@opentelemetry/api';
import type { StepOutcome } from '@roster/contracts';

/**
 * Step outcomes as the status service folds them (meter `roster`), by step and result — never by
 * tenant. A redelivered outcome is counted again (delivery is at-least-once).
 */
const meter = metrics.getMeter('roster');
const outcomes = meter.createCounter('roster.step.outcomes', {
  description: 'Step outcomes folded by the status service, by step and result',
});
const duration = meter.createHistogram('roster.step.duration', {
  description: 'From the SCIM command reaching the pipeline to a step reporting its outcome',
  unit: 's',
  advice: { explicitBucketBoundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120] },
});

/** Counts `outcome`; with the time its command arrived, also how long the step took to answer it. */
export const recordStepOutcome = (outcome: StepOutcome, commandReceivedAt: string | undefined): void => {
  const attributes = { 'roster.step': outcome.data.step, 'roster.step.result': outcome.data.result };
  outcomes.add(1, attributes);
  if (!commandReceivedAt) return;
  const seconds = (Date.parse(outcome.time) - Date.parse(commandReceivedAt)) / 1000;
  if (Number.isFinite(seconds) && seconds >= 0) duration.record(seconds, attributes);
};
