import type { Command, CommandResult } from '@roster/contracts';
import { type Logger, type Publisher, type RunningConsumer, runConsumer } from '@roster/service-kit';
import type { Kafka } from 'kafkajs';
import { DrainRate } from '../backpressure/drain-rate.ts';

export type CommandResponse = CommandResult['data']['response'];

const RESULTS_SESSION_TIMEOUT_MS = 10_000;

export class DeadlineExceeded extends Error {
  constructor(commandId: string, ms: number) {
    super(`command ${commandId} was not decided within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

interface Waiter {
  resolve(response: CommandResponse): void;
  cancel(): void;
}

/**
 * Sends commands and waits for their folded result. Every ingress replica reads the whole
 * command-results topic in a consumer group of its own (starting at the end), and answers only
 * the calls it is holding; results for other replicas' commands are ignored.
 */
export class CommandBus {
  readonly #waiting = new Map<string, Waiter>();
  readonly #publisher: Publisher;
  readonly #deadlineMs: number;
  #results: RunningConsumer | undefined;
  /** Every result on the topic, whichever replica waits for it: how fast the whole pipeline drains. */
  readonly resultRate = new DrainRate();

  constructor(publisher: Publisher, deadlineMs: number) {
    this.#publisher = publisher;
    this.#deadlineMs = deadlineMs;
  }

  /**
   * Joins the results topic in this replica's own group (`resultsGroupId`, stable across restarts
   * so groups do not pile up); resolves once positioned to see every new result. Offsets are never
   * committed: each start begins at the end, and Kafka removes the group of a replica that is gone.
   */
  async start(kafka: Kafka, log: Logger, resultsGroupId: string): Promise<void> {
    this.#results = await runConsumer({
      kafka,
      log,
      groupId: resultsGroupId,
      topic: 'commandResults',
      fromBeginning: false,
      commitOffsets: false,
      // One member per group: after a crash, the restarted replica waits this long for the old
      // member's session to expire.
      sessionTimeout: RESULTS_SESSION_TIMEOUT_MS,
      heartbeatInterval: RESULTS_SESSION_TIMEOUT_MS / 10,
      maxWaitTimeInMs: 50,
      handle: async (result) => {
        this.resultRate.record();
        this.#waiting.get(result.data.commandId)?.resolve(result.data.response);
      },
    });
    await this.#results.ready;
  }

  /** Publishes `command` and resolves with its result, or rejects with DeadlineExceeded. */
  async send(command: Command): Promise<CommandResponse> {
    const settled = new Promise<CommandResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(command.id);
        reject(new DeadlineExceeded(command.id, this.#deadlineMs));
      }, this.#deadlineMs);
      const settle = () => {
        clearTimeout(timer);
        this.#waiting.delete(command.id);
      };
      this.#waiting.set(command.id, {
        resolve: (response) => {
          settle();
          resolve(response);
        },
        cancel: settle,
      });
    });
    // The deadline may pass while publishing; the caller awaits `settled` right after.
    settled.catch(() => undefined);
    try {
      await this.#publisher.publish('scimCommands', [command]);
    } catch (err) {
      this.#waiting.get(command.id)?.cancel();
      throw err;
    }
    return settled;
  }

  /** The results consumer (once started), for readiness: joined and assigned its partitions. */
  get resultsConsumer(): RunningConsumer {
    if (!this.#results) throw new Error('the command bus has not started');
    return this.#results;
  }

  /** Rejects if the results consumer crashed for good (started, else never settles). */
  get crashed(): Promise<never> {
    return this.#results?.crashed ?? new Promise<never>(() => undefined);
  }

  async stop(): Promise<void> {
    await this.#results?.stop();
  }
}
