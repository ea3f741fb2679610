import { type Command, scimErrors, type TopicKey } from '@roster/contracts';
import type { Publisher } from '@roster/service-kit';
import type { GroupsDirectory } from '../directory/groups.ts';
import { isDuplicateKey, type UsersDirectory } from '../directory/users.ts';
import type { CommandLedger, LedgerEntry } from '../ledger/ledger.ts';
import { type DecideDeps, decideCommand } from './decide.ts';
import { resultMessage } from './messages.ts';

export interface ProcessDeps extends DecideDeps {
  ledger: CommandLedger;
  publisher: Publisher;
  users: UsersDirectory;
  groups: GroupsDirectory;
}

const applyWrite = async (deps: ProcessDeps, entry: LedgerEntry): Promise<void> => {
  const write = entry.write;
  if (!write) return;
  if (write.kind === 'user') await deps.users.apply(write.doc);
  else if (write.kind === 'group') await deps.groups.apply(write.doc);
  else await deps.groups.remove(write.tenant, write.id);
};

/** Publishes the outbox in order, batching consecutive messages of one topic. */
const publishOutbox = async (publisher: Publisher, entry: LedgerEntry): Promise<void> => {
  let batch: LedgerEntry['outbox'] = [];
  const flush = async () => {
    const [first] = batch;
    if (first)
      await publisher.publish(
        first.topic as TopicKey,
        batch.map((m) => m.message),
      );
    batch = [];
  };
  for (const item of entry.outbox) {
    if (batch[0] && batch[0].topic !== item.topic) await flush();
    batch.push(item);
  }
  await flush();
};

/**
 * Handles one command delivery: decide once (the ledger keeps the decision), apply its write,
 * publish its outbox. Every step is idempotent, so a redelivery after a crash finishes the job
 * without doing anything twice.
 */
export const processCommand = async (deps: ProcessDeps, command: Command): Promise<void> => {
  let entry =
    (await deps.ledger.find(command.id)) ?? (await deps.ledger.record(await decideCommand(deps, command)));
  if (entry.published) return;
  try {
    await applyWrite(deps, entry);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // A user on another partition took the userName/externalId between decision and write.
    const error = scimErrors.uniqueness('userName or externalId is already taken');
    const response = { status: error.httpStatus, error: error.toBody() };
    entry = await deps.ledger.reject(entry, response, [
      resultMessage(command, { ...entry, response, document: undefined }),
    ]);
  }
  await publishOutbox(deps.publisher, entry);
  await deps.ledger.markPublished(entry._id);
};
