import type { Command, StepOutcome } from '@roster/contracts';
import { ScimError } from '@roster/scim';
import { isDocumentTooLarge, type Publisher } from '@roster/service-kit';
import { resultMessage } from '../messages/command.ts';
import type { AuditTrail } from '../store/audit-trail.ts';
import type { CommandLedger } from '../store/ledger.ts';
import { resourceTypeOf } from './ledger-entry.ts';
import { decisionAudit } from './scim-command.ts';

/**
 * The SCIM error of a command the directory cannot record or apply for good: `413` when the
 * store refused the resulting document for its size (the request made the resource too large),
 * otherwise `500`. Both name the correlation id under which operators find the dead letter, the
 * logs and the audit entry.
 */
const poisonedCommandError = (command: Command, error: unknown): ScimError =>
  isDocumentTooLarge(error)
    ? new ScimError(
        413,
        `the ${resourceTypeOf(command)} would be too large to store; the change was not completed (correlation id ${command.correlationid})`,
      )
    : new ScimError(
        500,
        `the change could not be processed and was set aside for operators (correlation id ${command.correlationid})`,
      );

/**
 * Answers the waiting SCIM call of a command about to be dead-lettered, then audits the
 * refusal. The audit leaves the change out: it may be what the store refused (the dead letter
 * keeps the whole command).
 */
export const answerPoisonedCommand = async (
  deps: { publisher: Publisher; audit: AuditTrail },
  command: Command,
  error: unknown,
): Promise<void> => {
  const scimError = poisonedCommandError(command, error);
  const decided = {
    resourceType: resourceTypeOf(command),
    resourceId: command.subject,
    response: { status: scimError.httpStatus, error: scimError.toBody() },
    document: undefined,
  };
  await deps.publisher.publish('commandResults', [resultMessage(command, decided).message]);
  const { change: _, ...audit } = decisionAudit(command, decided);
  await deps.audit.record(audit, command.traceparent);
};

/**
 * A step outcome about to be dead-lettered: if it is the report the command's SCIM call still
 * waits for, that call gets a `500` naming the correlation id instead of missing its deadline.
 */
export const answerPoisonedOutcome = async (
  deps: { publisher: Publisher; ledger: CommandLedger },
  outcome: StepOutcome,
): Promise<void> => {
  const { commandId, step, resource } = outcome.data;
  const entry = await deps.ledger.find(commandId);
  const waiting =
    entry &&
    !entry.completed &&
    entry.tenant === outcome.tenant &&
    entry.resourceId === resource.id &&
    entry.awaits.includes(step);
  if (!waiting) return;
  const error = new ScimError(
    500,
    `the ${step} step's report could not be processed and was set aside for operators (correlation id ${outcome.correlationid})`,
  );
  const command = { ...outcome, id: commandId };
  const response = { status: error.httpStatus, error: error.toBody() };
  const message = resultMessage(command, { ...entry, response, document: undefined });
  await deps.publisher.publish('commandResults', [message.message]);
  await deps.ledger.markCompleted([commandId]);
};
