import { randomUUID } from 'node:crypto';
import type { Command, CommandResult } from '@roster/contracts';
import { type Logger, type Publisher, type RunningConsumer, runConsumer } from '@roster/service-kit';
import type { Kafka } from 'kafkajs';

export type CommandResponse = CommandResult['data']['response'];

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

  constructor(publisher: Publisher, deadlineMs: number) {
    this.#publisher = publisher;
    this.#deadlineMs = deadlineMs;
  }

  /** Joins the results topic; resolves once this replica is positioned to see every new result. */
  async start(kafka: Kafka, log: Logger): Promise<void> {
    this.#results = await runConsumer({
      kafka,
      log,
      groupId: `roster-ingress-${randomUUID()}`,
      topic: 'commandResults',
      fromBeginning: false,
      maxWaitTimeInMs: 50,
      handle: async (result) => {
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

  async stop(): Promise<void> {
    await this.#results?.stop();
  }
}
