import type { UserDocument } from '@roster/contracts';
import type { UserState } from '../domain/users/state.ts';
import { toState, type UserReads, type UsersDirectory, userNameKey } from './users.ts';

/** What a batch reads of the collection: one user at a time, or many at once. */
export type CommittedUserReads = UserReads & Pick<UsersDirectory, 'byIds' | 'byUserNames'>;

/**
 * The users as a batch of commands decides them: what the collection holds (each user and
 * userName read once), overlaid with what the batch's earlier decisions wrote — not committed
 * yet, the batch commits together, each write guarded by the version its decision saw. A user
 * created or renamed in the batch holds its userName here, and a userName it gave up is free.
 */
export class BatchUsers implements UserReads {
  readonly #committed: CommittedUserReads;
  /** By `tenant:id`: read from the collection or decided in the batch (undefined: no such user). */
  readonly #byId = new Map<string, UserState | undefined>();
  /** By `tenant:userNameKey`, likewise (undefined: nobody holds it). */
  readonly #byUserName = new Map<string, UserState | undefined>();

  constructor(committed: CommittedUserReads) {
    this.#committed = committed;
  }

  /**
   * Reads at once the users and userName holders a batch will ask for (two reads per organization
   * instead of one or two per command); what it did not foresee is still read when asked.
   */
  async prefetch(wanted: readonly { tenant: string; id?: string; userName?: string }[]): Promise<void> {
    const byTenant = new Map<string, { ids: string[]; userNames: string[] }>();
    for (const { tenant, id, userName } of wanted) {
      const of = byTenant.get(tenant) ?? { ids: [], userNames: [] };
      byTenant.set(tenant, of);
      if (id !== undefined) of.ids.push(id);
      if (userName !== undefined) of.userNames.push(userName);
    }
    await Promise.all(
      [...byTenant].map(async ([tenant, { ids, userNames }]) => {
        const [users, holders] = await Promise.all([
          this.#committed.byIds(tenant, ids),
          this.#committed.byUserNames(tenant, userNames),
        ]);
        for (const id of ids) this.#byId.set(`${tenant}:${id}`, users.get(id));
        for (const holder of holders.values()) this.#byId.set(`${tenant}:${holder.id}`, holder);
        for (const userName of userNames) {
          const key = userNameKey(userName);
          this.#byUserName.set(`${tenant}:${key}`, holders.get(key));
        }
      }),
    );
  }

  async byId(tenant: string, id: string): Promise<UserState | undefined> {
    const key = `${tenant}:${id}`;
    if (!this.#byId.has(key)) this.#byId.set(key, await this.#committed.byId(tenant, id));
    return this.#byId.get(key);
  }

  async byUserName(tenant: string, userName: string): Promise<UserState | undefined> {
    const key = `${tenant}:${userNameKey(userName)}`;
    if (this.#byUserName.has(key)) return this.#byUserName.get(key);
    const held = await this.#committed.byUserName(tenant, userName);
    // The batch's own view of that user wins (it may have renamed them away from this userName).
    const current = held && (await this.byId(tenant, held.id));
    const holder =
      current && userNameKey(current.attributes.userName) === userNameKey(userName) ? current : undefined;
    this.#byUserName.set(key, holder);
    return holder;
  }

  visibleIds(tenant: string, ids: readonly string[]): Promise<Set<string>> {
    return this.#committed.visibleIds(tenant, ids);
  }

  /** Records a user the batch decided (after it decided against `byId`'s state): later decisions see it. */
  decided(doc: UserDocument): void {
    const key = `${doc.tenant}:${doc._id}`;
    const before = this.#byId.get(key);
    // The steps have not reported on this batch's changes yet: what they last said still stands.
    const after = { ...toState(doc)!, needsResync: before?.needsResync ?? false };
    if (before)
      this.#byUserName.set(`${before.tenant}:${userNameKey(before.attributes.userName)}`, undefined);
    this.#byId.set(key, after);
    this.#byUserName.set(`${after.tenant}:${doc.userNameKey}`, after);
  }
}
