import { TOPICS } from '@roster/contracts';
import { describeFailure, type Logger } from '@roster/service-kit';
import type { Admin, Kafka } from 'kafkajs';

/**
 * The status service's consumer group on the command topic (its `STATUS_GROUP_ID`): what it has
 * not yet taken is the backlog every ingress replica's writes queue behind.
 */
export const COMMAND_CONSUMER_GROUP = 'roster-status';

/** How often the backlog is measured: two small broker requests per replica and interval. */
const POLL_INTERVAL_MS = 1_000;

/**
 * The command lag: on every partition of the command topic, the log end minus the status group's
 * committed offset (the log start while it has none), summed. Measured from the broker, it is
 * the same for every ingress replica, whoever published the commands.
 */
export class CommandLag {
  readonly #admin: Admin;
  readonly #log: Logger;
  readonly #groupId: string;
  readonly #intervalMs: number;
  #lag: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #failing = false;

  constructor(
    kafka: Kafka,
    log: Logger,
    { groupId = COMMAND_CONSUMER_GROUP, intervalMs = POLL_INTERVAL_MS } = {},
  ) {
    this.#admin = kafka.admin();
    this.#log = log;
    this.#groupId = groupId;
    this.#intervalMs = intervalMs;
  }

  /** Connects and takes a first measurement; then measures every interval until stopped. */
  async start(): Promise<void> {
    await this.#admin.connect();
    await this.#poll();
  }

  /** The last measured lag; undefined while the broker cannot be asked. */
  current(): number | undefined {
    return this.#lag;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#admin.disconnect();
  }

  async #poll(): Promise<void> {
    try {
      this.#lag = await this.#measure();
      this.#failing = false;
    } catch (err) {
      this.#lag = undefined;
      // Once per outage: the broker being away is logged (and answered) elsewhere too.
      if (!this.#failing) this.#log.warn({ err: describeFailure(err) }, 'cannot measure the command lag');
      this.#failing = true;
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
    this.#timer.unref();
  }

  async #measure(): Promise<number> {
    const topic = TOPICS.scimCommands.name;
    const [ends, [committed]] = await Promise.all([
      this.#admin.fetchTopicOffsets(topic),
      this.#admin.fetchOffsets({ groupId: this.#groupId, topics: [topic] }),
    ]);
    const committedOf = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((lag, { partition, high, low }) => {
      const taken = committedOf.get(partition) ?? -1;
      return lag + Math.max(0, Number(high) - (taken >= 0 ? taken : Number(low)));
    }, 0);
  }
}
