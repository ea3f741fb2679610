/**
 * How a downstream team subscribes to Roster's lifecycle events — a plain kafkajs consumer.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 node test/examples/lifecycle-subscriber.ts my-team-group
 *
 * Topic `roster.lifecycle.v1`; each value is a CloudEvents 1.0 JSON event (`type` names the
 * event and its major version, `data` its payload, `subject` the user id, `tenant` the org);
 * the key is `<org id>:<user id>`, so one user's events arrive in order on one partition.
 * Delivery is at-least-once with stable ids: a crash in Roster may republish an event under the
 * same `id`, and a consumer that commits after handling (as below) may see it again after its own
 * restart, so handlers dedupe on the event `id`. Schemas: the AsyncAPI document
 * (`npm run asyncapi -w @roster/contracts`) or `decodeMessage('lifecycle', value)` from
 * `@roster/contracts`, used here to reject anything that breaks the contract.
 */
import { decodeMessage, type LifecycleEvent, TOPICS } from '@roster/contracts';
import { Kafka, logLevel } from 'kafkajs';

export interface Subscription {
  stop(): Promise<void>;
}

export const subscribeToLifecycle = async (
  brokers: string[],
  groupId: string,
  onEvent: (
    event: LifecycleEvent,
    meta: { key: string | null; traceparent?: string },
  ) => Promise<void> | void,
): Promise<Subscription> => {
  const consumer = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.WARN }).consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.lifecycle.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = decodeMessage('lifecycle', message.value);
      const traceparent = message.headers?.traceparent?.toString();
      await onEvent(event, { key: message.key?.toString() ?? null, ...(traceparent ? { traceparent } : {}) });
    },
  });
  return { stop: () => consumer.disconnect() };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const subscription = await subscribeToLifecycle(
    brokers,
    process.argv[2] ?? 'lifecycle-example',
    (event) => {
      console.log(
        `${event.time} ${event.type} org=${event.tenant} user=${event.subject} ${JSON.stringify(event.data)}`,
      );
    },
  );
  process.once('SIGINT', () => void subscription.stop().then(() => process.exit(0)));
}
