import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '@roster/contracts';
import { ScimError } from '@roster/scim';
import type { DecisionCommits } from '../store/decision-commit.ts';
import type { CommandLedger, LedgerEntry } from '../store/ledger.ts';
import { StaleDecision } from '../store/stale-decision.ts';
import { type DecideDeps, decideCommand, refusedEntry, resourceTypeOf } from './ledger-entry.ts';

export interface RecordDeps extends DecideDeps {
  ledger: CommandLedger;
  commits: DecisionCommits;
}

/**
 * How often a command is decided before it is refused: each further decision follows a change
 * another command committed to the same resource (or key) in between.
 */
export const MAX_DECISIONS = 5;

/** A short random pause before deciding again, so commands racing for one resource spread out. */
const backoff = (attempt: number) => sleep(Math.random() * 5 * attempt);

const tooContended = (command: Command): ScimError =>
  new ScimError(
    409,
    `the ${resourceTypeOf(command)} kept changing while this request was decided (${MAX_DECISIONS} attempts); nothing was changed, retry the request`,
  );

/**
 * Decides a command and records the decision. An accepted change commits together with its
 * directory write, guarded by the version it was decided against; when another command changed
 * the resource (or took its unique key) in between, nothing is written and the command is decided
 * again against the fresh state, so no acknowledged change is ever dropped. A decision that
 * writes nothing is recorded as it is.
 */
export const recordDecision = async (deps: RecordDeps, command: Command): Promise<LedgerEntry> => {
  for (let attempt = 1; attempt <= MAX_DECISIONS; attempt++) {
    const { entry, write } = await decideCommand(deps, command);
    if (!write) return deps.ledger.record(entry);
    try {
      return await deps.commits.commit(entry, write);
    } catch (err) {
      if (!(err instanceof StaleDecision)) throw err;
      // Another delivery of this very command may be the one that committed in between.
      const recorded = await deps.ledger.find(command.id);
      if (recorded) return recorded;
      if (attempt < MAX_DECISIONS) await backoff(attempt);
    }
  }
  return deps.ledger.record(refusedEntry(command, tooContended(command)));
};
