import type { GroupDocument, GroupMembersChange, UserDocument } from '@roster/contracts';
import { isDuplicateKey } from '@roster/service-kit';
import type { ClientSession, MongoClient, TransactionOptions } from 'mongodb';
import type { GroupsDirectory } from './groups.ts';
import type { CommandLedger, LedgerEntry } from './ledger.ts';
import { StaleDecision } from './stale-decision.ts';
import type { UsersDirectory } from './users.ts';

/**
 * The directory write an accepted change implies, guarded by `expectedVersion`: the version of
 * the resource the decision was made against (undefined: the decision creates the resource).
 */
export type DirectoryWrite =
  | { kind: 'user'; doc: UserDocument; expectedVersion: number | undefined }
  | { kind: 'group'; doc: GroupDocument; expectedVersion: number | undefined; members: GroupMembersChange }
  | { kind: 'group-removal'; tenant: string; id: string; expectedVersion: number };

type UserWrite = Extract<DirectoryWrite, { kind: 'user' }>;

/** The writes in their order, consecutive user writes gathered into one run (one bulk write). */
const runsOfUsers = (writes: readonly DirectoryWrite[]): (DirectoryWrite | UserWrite[])[] => {
  const runs: (DirectoryWrite | UserWrite[])[] = [];
  for (const write of writes) {
    const last = runs.at(-1);
    if (write.kind !== 'user') runs.push(write);
    else if (Array.isArray(last)) last.push(write);
    else runs.push([write]);
  }
  return runs;
};

const TRANSACTION: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/**
 * Commits accepted decisions: the directory write and the ledger entry in one transaction, so a
 * decision is recorded exactly when its write is in the directory. Of two decisions made against
 * the same version of a resource only one commits: the other throws StaleDecision with nothing
 * written, as does one whose unique key (userName, group displayName) another resource took, or
 * whose command another delivery recorded first.
 */
export class DecisionCommits {
  readonly #client: MongoClient;
  readonly #users: UsersDirectory;
  readonly #groups: GroupsDirectory;
  readonly #ledger: CommandLedger;

  constructor(
    client: MongoClient,
    stores: { users: UsersDirectory; groups: GroupsDirectory; ledger: CommandLedger },
  ) {
    this.#client = client;
    this.#users = stores.users;
    this.#groups = stores.groups;
    this.#ledger = stores.ledger;
  }

  async commit(entry: LedgerEntry, write: DirectoryWrite): Promise<LedgerEntry> {
    const [recorded] = await this.commitAll([entry], [write]);
    return recorded!;
  }

  /**
   * Commits the decisions of a batch together: every directory write (in the order decided, each
   * guarded by the version its decision saw, which may be an earlier write of the batch) and every
   * ledger entry, refusals included, in one transaction. Any stale decision fails them all.
   */
  async commitAll(
    entries: readonly LedgerEntry[],
    writes: readonly DirectoryWrite[],
  ): Promise<LedgerEntry[]> {
    const session = this.#client.startSession();
    try {
      // withTransaction runs the callback again after a write conflict; the guard then sees the
      // concurrent write and fails as StaleDecision.
      return await session.withTransaction(async () => {
        for (const run of runsOfUsers(writes)) await this.#apply(run, session);
        return this.#ledger.recordWithin(session, entries);
      }, TRANSACTION);
    } catch (err) {
      if (isDuplicateKey(err)) throw new StaleDecision(`a unique key is taken: ${(err as Error).message}`);
      throw err;
    } finally {
      await session.endSession();
    }
  }

  async #apply(write: DirectoryWrite | UserWrite[], session: ClientSession): Promise<void> {
    if (Array.isArray(write)) return this.#users.writeAll(write, session);
    switch (write.kind) {
      case 'group':
        return this.#groups.write(write.doc, write.expectedVersion, write.members, session);
      case 'group-removal':
        return this.#groups.remove(write.tenant, write.id, write.expectedVersion, session);
    }
  }
}
