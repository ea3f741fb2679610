import type { MessageOf, TopicKey } from '@roster/contracts';
import type { Delivery, Handler } from './consume.ts';

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
