import { randomUUID } from 'node:crypto';
import { metrics } from '@opentelemetry/api';
import { type DeadLetter, TOPICS } from '@roster/contracts';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { describeFailure, isTransientFailure } from './failure.ts';
import { IDEMPOTENT_PRODUCER } from './publisher.ts';

const wrappedValue = (value: Buffer | null): DeadLetter['value'] => {
  const utf8 = value ? value.toString('utf8') : null;
  const isText = utf8 !== null && Buffer.from(utf8, 'utf8').equals(value!);
  return isText
    ? { encoding: 'utf8', data: utf8 }
    : { encoding: 'base64', data: value ? value.toString('base64') : null };
};

/**
 * One consumer group's side of `roster.dead-letter.v1`: parks a message it cannot accept with
 * its origin, the error and the raw value, so it can be inspected and replayed.
 */
/** Messages parked, by the topic they came from and the group that gave up on them (alert on any). */
const deadLetters = metrics.getMeter('roster').createCounter('roster.dead_letters', {
  description: 'Messages parked on the dead-letter topic because they can never be handled',
});

export class DeadLetters {
  readonly #producer: Producer;
  readonly #groupId: string;

  constructor(kafka: Kafka, groupId: string) {
    this.#producer = kafka.producer(IDEMPOTENT_PRODUCER);
    this.#groupId = groupId;
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  async park(origin: DeadLetter['origin'], message: KafkaMessage, error: DeadLetter['error']): Promise<void> {
    const letter: DeadLetter = {
      id: randomUUID(),
      failedAt: new Date().toISOString(),
      consumerGroup: this.#groupId,
      origin,
      error,
      value: wrappedValue(message.value),
    };
    try {
      await this.#send(letter, message);
    } catch (err) {
      if (isTransientFailure(err)) throw err;
      // Wrapped (escaped, with headers) the value may outgrow the broker's message size limit:
      // park it without the value rather than not at all; the origin still locates it.
      const reason = `${error.message} (value left out: ${describeFailure(err)})`;
      const withoutValue = {
        ...letter,
        error: { ...error, message: reason },
        value: { ...letter.value, data: null },
      };
      await this.#send(withoutValue, message);
    }
    deadLetters.add(1, {
      'messaging.destination.name': origin.topic,
      'messaging.consumer.group.name': this.#groupId,
      'roster.dead_letter.kind': error.kind,
    });
  }

  close(): Promise<void> {
    return this.#producer.disconnect();
  }

  async #send(letter: DeadLetter, original: KafkaMessage): Promise<void> {
    await this.#producer.send({
      topic: TOPICS.deadLetter.name,
      acks: -1,
      messages: [{ key: letter.origin.key, value: JSON.stringify(letter), headers: original.headers }],
    });
  }
}
