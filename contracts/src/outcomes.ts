import { type Static, Type } from '@sinclair/typebox';
import { Step } from './directory-changes.ts';
import { Envelope } from './envelope.ts';
import { License, OrgRole } from './scim/resources.ts';

/**
 * Step outcomes: each consumer reports, per directory change, what it did. The status service
 * folds them into the user's provisioning state, the audit trail and the command result.
 */

export const TRANSFER_STATES = ['none', 'pending', 'pending_admin', 'in_progress', 'done'] as const;
export const TransferState = Type.Union(TRANSFER_STATES.map((s) => Type.Literal(s)));
export type TransferState = Static<typeof TransferState>;

export const StepState = Type.Union([
  Type.Object(
    {
      step: Type.Literal('licensing'),
      license: Type.Union([License, Type.Null()], { description: 'null while the seat is released' }),
      role: OrgRole,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      step: Type.Literal('membership'),
      workspaces: Type.Array(
        Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      step: Type.Literal('content-transfer'),
      state: TransferState,
      toUserId: Type.Optional(Type.String()),
      folder: Type.Optional(Type.String()),
      itemsMoved: Type.Integer({ minimum: 0 }),
    },
    { additionalProperties: false },
  ),
]);
export type StepState = Static<typeof StepState>;

export const StepOutcome = Envelope(
  'roster.outcome.step.v1',
  Type.Object(
    {
      commandId: Type.String(),
      step: Step,
      resource: Type.Object(
        {
          type: Type.Union([Type.Literal('User'), Type.Literal('Group')]),
          id: Type.String(),
          sequence: Type.Integer({ minimum: 1, description: 'the directory change sequence this answers' }),
        },
        { additionalProperties: false },
      ),
      result: Type.Union([Type.Literal('succeeded'), Type.Literal('rejected'), Type.Literal('failed')]),
      reason: Type.Optional(
        Type.Object(
          { code: Type.String(), message: Type.String({ description: 'readable by the org admin' }) },
          { additionalProperties: false },
        ),
      ),
      state: Type.Optional(StepState),
    },
    { additionalProperties: false },
  ),
  'One consumer step finished (or could not) for one directory change.',
);
export type StepOutcome = Static<typeof StepOutcome>;
