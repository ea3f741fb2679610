import type { Consumer, OffsetsByTopicPartition } from 'kafkajs';
import type { Logger } from '../log.ts';
import { describeFailure } from './failure.ts';

/** How often a consumer commits what it handled, at most (and when it stops or rebalances). */
export const COMMIT_INTERVAL_MS = 1_000;

/** Commits offsets through the group kafkajs runs (the `commitOffsetsIfNecessary` of a batch). */
export type CommitThrough = (offsets: OffsetsByTopicPartition) => Promise<void>;

/**
 * A consumer's handled offsets, committed at most once per COMMIT_INTERVAL_MS instead of after
 * every batch of every partition (kafkajs' own auto-commit: one OffsetCommit request per batch).
 * Handlers are idempotent, so what a crash leaves uncommitted — at most the last interval — is
 * delivered again and changes nothing twice. Commits go through the group of the latest batch
 * (it commits even while the consumer stops), on a timer for a partition that went quiet, and
 * when the group starts rebalancing, so the next owner of a partition starts where this one
 * ended.
 */
export class OffsetCommits {
  readonly #log: Logger;
  readonly #groupId: string;
  /** Next offset to consume, by `topic\0partition`. */
  readonly #handled = new Map<string, { topic: string; partition: number; offset: string }>();
  readonly #timer: NodeJS.Timeout;
  #through: CommitThrough | undefined;
  #committedAt = Date.now();

  constructor(consumer: Consumer, groupId: string, log: Logger) {
    this.#groupId = groupId;
    this.#log = log;
    this.#timer = setInterval(() => void this.flush(), COMMIT_INTERVAL_MS).unref();
    consumer.on(consumer.events.REBALANCING, () => void this.flush());
    // Offsets a failed commit kept for partitions now owned by another member are that member's
    // to commit: committing them from here could move its position back.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [key, { topic, partition }] of this.#handled)
        if (!payload.memberAssignment[topic]?.includes(partition)) this.#handled.delete(key);
    });
  }

  /** Records that every message of the partition up to `offset` is handled. */
  handled(topic: string, partition: number, offset: string, through: CommitThrough): void {
    this.#through = through;
    this.#handled.set(`${topic}\u0000${partition}`, {
      topic,
      partition,
      offset: (BigInt(offset) + 1n).toString(),
    });
  }

  /** Commits now if the interval has passed since the last commit (or `now` is set: the consumer stops). */
  async commitIfDue(now: boolean): Promise<void> {
    if (now || Date.now() - this.#committedAt >= COMMIT_INTERVAL_MS) await this.flush();
  }

  async flush(): Promise<void> {
    const through = this.#through;
    if (!through || this.#handled.size === 0) return;
    const offsets = [...this.#handled.entries()];
    this.#handled.clear();
    this.#committedAt = Date.now();
    const topics = new Map<string, { partition: number; offset: string }[]>();
    for (const [, { topic, partition, offset }] of offsets)
      topics.set(topic, [...(topics.get(topic) ?? []), { partition, offset }]);
    try {
      await through({ topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) });
    } catch (err) {
      // Kept for the next commit unless a newer offset came meanwhile; if the partition moved to
      // another member, it resumes from the last commit and redelivers (handlers are idempotent).
      this.#log.warn({ groupId: this.#groupId, err: describeFailure(err) }, 'offset commit failed; retried');
      for (const [key, offset] of offsets) if (!this.#handled.has(key)) this.#handled.set(key, offset);
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
