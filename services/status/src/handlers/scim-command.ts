import type { AuditEntry, Command, TopicKey } from '@roster/contracts';
import { InvariantViolation, type Publisher } from '@roster/service-kit';
import type { AuditTrail } from '../store/audit-trail.ts';
import { BatchUsers, type CommittedUserReads } from '../store/batch-users.ts';
import type { DirectoryWrite } from '../store/decision-commit.ts';
import type { LedgerEntry, OutboxMessage } from '../store/ledger.ts';
import { StaleDecision } from '../store/stale-decision.ts';
import { decideCommand } from './ledger-entry.ts';
import { type RecordDeps, recordDecision } from './record-decision.ts';

export interface ProcessDeps extends RecordDeps {
  /** A batch reads many users at once. */
  users: CommittedUserReads;
  audit: AuditTrail;
  publisher: Publisher;
}

/** Publishes messages grouped by topic, in their order within each topic, the topics side by side. */
const publishByTopic = async (publisher: Publisher, messages: OutboxMessage[]): Promise<void> => {
  const byTopic = new Map<TopicKey, OutboxMessage['message'][]>();
  for (const { topic, message } of messages) {
    const ofTopic = byTopic.get(topic);
    if (ofTopic) ofTopic.push(message);
    else byTopic.set(topic, [message]);
  }
  await Promise.all([...byTopic].map(([topic, ofTopic]) => publisher.publish(topic, ofTopic)));
};

/**
 * Publishes the outboxes of recorded decisions: their directory changes and lifecycle events
 * first, the command results (what answers the SCIM calls) once those are in the log.
 */
export const publishOutboxes = async (publisher: Publisher, entries: LedgerEntry[]): Promise<void> => {
  const messages = entries.flatMap((entry) => entry.outbox);
  await publishByTopic(
    publisher,
    messages.filter((m) => m.topic !== 'commandResults'),
  );
  await publishByTopic(
    publisher,
    messages.filter((m) => m.topic === 'commandResults'),
  );
};

const isGroupCommand = (command: Command): boolean => command.type.startsWith('roster.command.group.');

/**
 * Decides user commands of one batch in order, each against what the ones before it decided,
 * and commits them in one transaction. Undefined when the transaction was refused (another
 * writer changed one of the users, or took a userName, in between): the caller decides them
 * one by one instead, each retried against fresh state.
 */
const decideTogether = async (
  deps: ProcessDeps,
  commands: Command[],
): Promise<Map<string, LedgerEntry> | undefined> => {
  const users = new BatchUsers(deps.users);
  await users.prefetch(
    commands.map((command) => ({
      tenant: command.tenant,
      ...(command.type === 'roster.command.user.create.v1' ? {} : { id: command.subject }),
      ...('user' in command.data ? { userName: command.data.user.userName } : {}),
    })),
  );
  const entries: LedgerEntry[] = [];
  const writes: DirectoryWrite[] = [];
  for (const command of commands) {
    const { entry, write } = await decideCommand({ ...deps, users }, command);
    entries.push(entry);
    if (write?.kind === 'user') users.decided(write.doc);
    if (write) writes.push(write);
  }
  try {
    const recorded = await deps.commits.commitAll(entries, writes);
    return new Map(recorded.map((entry) => [entry._id, entry]));
  } catch (err) {
    if (err instanceof StaleDecision) return undefined;
    throw err;
  }
};

/**
 * Handles commands (one, or a fetched batch, each partition's in order): decide each once and record the
 * decisions together with their writes (the ledger keeps them), then audit and publish their
 * outboxes. A batch of user commands is decided and committed as one; a command already recorded
 * only finishes its publishing, so a crash anywhere neither loses nor doubles an effect.
 */
export const handleScimCommands = async (deps: ProcessDeps, commands: Command[]): Promise<void> => {
  const recorded = await deps.ledger.findAll(commands.map((c) => c.id));
  const undecided = [...new Map(commands.filter((c) => !recorded.has(c.id)).map((c) => [c.id, c])).values()];
  const together =
    undecided.length > 1 && !undecided.some(isGroupCommand)
      ? await decideTogether(deps, undecided)
      : undefined;
  const decided = together ?? new Map<string, LedgerEntry>();
  for (const command of undecided)
    if (!decided.has(command.id)) decided.set(command.id, await recordDecision(deps, command));

  const pending: { command: Command; entry: LedgerEntry }[] = [];
  for (const command of commands) {
    const entry = recorded.get(command.id) ?? decided.get(command.id)!;
    // A replayed or forged id must never answer one tenant with another tenant's decision.
    if (entry.tenant !== command.tenant)
      throw new InvariantViolation(`command id ${command.id} is already recorded for another organization`);
    if (!entry.published && !pending.some((p) => p.entry._id === entry._id)) pending.push({ command, entry });
  }
  if (pending.length === 0) return;
  await deps.audit.recordAll(
    pending.map(({ command, entry }) => ({
      entry: decisionAudit(command, entry),
      traceparent: command.traceparent,
    })),
  );
  await publishOutboxes(
    deps.publisher,
    pending.map((p) => p.entry),
  );
  await deps.ledger.markPublished(pending.map((p) => p.entry._id));
};

const stateOf = (document: LedgerEntry['document']) => {
  if (!document) return undefined;
  const version = document.meta.version;
  return 'userNameKey' in document
    ? { version, active: document.resource.active, scimDeleted: document.scimDeleted }
    : { version };
};

/** The audit entry of a decision: who asked for what, and what the directory answered. */
export const decisionAudit = (
  command: Command,
  entry: Pick<LedgerEntry, 'resourceType' | 'resourceId' | 'response' | 'document'>,
): Omit<AuditEntry, 'traceId'> => {
  const { actor, ...change } = command.data;
  const state = stateOf(entry.document);
  return {
    _id: command.id,
    tenant: command.tenant,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    at: command.time,
    kind: 'command',
    what: command.type,
    actor,
    change,
    result: entry.response.error ? 'rejected' : 'accepted',
    status: entry.response.status,
    ...(entry.response.error?.detail ? { detail: entry.response.error.detail } : {}),
    ...(state ? { state } : {}),
    correlationId: command.correlationid,
  };
};
