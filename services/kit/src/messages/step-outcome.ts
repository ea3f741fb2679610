import { createHash } from 'node:crypto';
import { envelope, type StepOutcome } from '@roster/contracts';
import { type Cause, causedBy } from './caused-by.ts';

/** A uuid-shaped id (version 5 layout) derived from sha256 of `name`: the same name, the same id. */
const stableId = (name: string): string => {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export interface StepOutcomeOptions {
  /**
   * Tells apart the outcomes one cause gives one resource as the work goes on (content-transfer
   * reports `in_progress`, later `done`, both answering the deactivation).
   */
  stage?: string;
}

/**
 * The outcome `source` publishes for its step on one resource, answering `cause`. Its id derives
 * from the step, the cause's id, the resource and the stage: a redelivered cause is answered with
 * the same id (so the status service audits it once), while the outcomes one cause gives several
 * resources (a group change answers for each member it moved) still differ.
 */
export const stepOutcome = (
  source: string,
  cause: Cause,
  data: StepOutcome['data'],
  { stage = '' }: StepOutcomeOptions = {},
): StepOutcome => {
  const { type, id } = data.resource;
  return envelope(
    'roster.outcome.step.v1',
    { ...causedBy(cause, source, id), id: stableId(`${data.step}:${cause.id}:${type}:${id}:${stage}`) },
    data,
  );
};
