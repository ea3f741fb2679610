import type { MessageOf, TopicKey } from '@roster/contracts';
import type { BatchContext, BatchHandler, Delivery, Handler } from './consume.ts';

/** The topics whose messages carry a CloudEvents `type` (all but the dead letters). */
export type TypedTopic = { [K in TopicKey]: MessageOf<K> extends { type: string } ? K : never }[TopicKey];

/** For each message type of topic `K`, the handler of that type (if the service handles it). */
export type MessageHandlers<K extends TypedTopic> = {
  [T in MessageOf<K>['type']]?: (
    message: Extract<MessageOf<K>, { type: T }>,
    delivery: Delivery,
  ) => Promise<void>;
};

/**
 * A topic's handler made of one handler per message type, as FerretDB has one per command. A type
 * without a handler is not the service's business: it is acknowledged (its offset committed) and
 * nothing else happens.
 */
export const byMessageType =
  <K extends TypedTopic>(handlers: MessageHandlers<K>): Handler<K> =>
  async (message, delivery) => {
    const handle = handlers[message.type as MessageOf<K>['type']] as Handler<K> | undefined;
    await handle?.(message, delivery);
  };

/** For each message type of topic `K`, the handler of the messages of that type a batch holds. */
export type BatchHandlers<K extends TypedTopic> = {
  [T in MessageOf<K>['type']]?: (
    messages: Extract<MessageOf<K>, { type: T }>[],
    batch: BatchContext,
  ) => Promise<void>;
};

/**
 * A topic's handlers as `byMessageType`, each taking the messages of its type from a batch, in
 * their order (messages of different types are about different resources, hence different keys,
 * whose relative order Kafka does not keep either). Gives a consumer both halves: `handle` for a
 * lone message, `handleBatch` for several.
 */
export const byMessageTypeInBatches = <K extends TypedTopic>(
  handlers: BatchHandlers<K>,
): { handle: Handler<K>; handleBatch: BatchHandler<K> } => {
  const handleBatch: BatchHandler<K> = async (messages, batch) => {
    const byType = new Map<MessageOf<K>['type'], MessageOf<K>[]>();
    for (const message of messages) {
      const type = message.type as MessageOf<K>['type'];
      const ofType = byType.get(type);
      if (ofType) ofType.push(message);
      else byType.set(type, [message]);
    }
    for (const [type, ofType] of byType) {
      const handle = handlers[type] as BatchHandler<K> | undefined;
      await handle?.(ofType, batch);
    }
  };
  return { handle: (message, delivery) => handleBatch([message], delivery), handleBatch };
};
