import { setTimeout as sleep } from 'node:timers/promises';
import { ContractViolation, decodeMessage, type MessageOf, TOPICS, type TopicKey } from '@roster/contracts';
import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { type Logger, withLogContext } from '../log.ts';
import {
  type Consumed,
  markActiveSpanFailed,
  withProcessSpan,
  withProcessSpans,
} from '../telemetry/messaging-spans.ts';
import { trackConsumerLag } from './consumer-lag.ts';
import { DeadLetters } from './dead-letters.ts';
import { describeFailure, isTransientFailure } from './failure.ts';
import { FetchedTogether } from './fetched-together.ts';
import { OffsetCommits } from './offset-commits.ts';

export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** Tells the group this member is alive during long work on one message (e.g. batch by batch). */
  heartbeat(): Promise<void>;
}

export type Handler<K extends TopicKey> = (message: MessageOf<K>, delivery: Delivery) => Promise<void>;

/**
 * Handles the messages one fetch brought, as one unit of work (one read and one write per
 * collection instead of one per message): those of each partition in their order, partitions one
 * after the other (their keys differ, and Kafka orders nothing across partitions). It must leave exactly
 * the effects `handle` would leave for each message in turn, and be as idempotent: after a
 * crash or a transient failure the whole batch is delivered again.
 */
export type BatchHandler<K extends TopicKey> = (
  messages: MessageOf<K>[],
  batch: BatchContext,
) => Promise<void>;

/** What a batch handler may tell the group during long work. */
export interface BatchContext {
  /** Tells the group this member is alive during long work on the batch. */
  heartbeat(): Promise<void>;
}

/**
 * Called once for a message whose handling failed permanently, before it is dead-lettered: the
 * last chance to give whoever waits on it a definite answer (e.g. the SCIM call an error).
 */
export type PoisonHandler<K extends TopicKey> = (
  message: MessageOf<K>,
  error: unknown,
  delivery: Delivery,
) => Promise<void>;

export interface ConsumerOptions<K extends TopicKey> {
  kafka: Kafka;
  groupId: string;
  topic: K;
  handle: Handler<K>;
  /**
   * When set, a fetch that brought several messages of a partition is handled by it at once; a
   * batch that fails permanently is handled again message by message with `handle`, so the one
   * message that cannot be handled is isolated and dead-lettered and the others take effect.
   */
  handleBatch?: BatchHandler<K>;
  onPoison?: PoisonHandler<K>;
  log: Logger;
  /** Where a new group starts; existing groups always resume from their committed offsets. */
  fromBeginning?: boolean;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  maxWaitTimeInMs?: number;
  partitionsConsumedConcurrently?: number;
  /** False for a group that always starts at the log end and never resumes (no offsets kept). */
  commitOffsets?: boolean;
}

export interface RunningConsumer {
  consumer: Consumer;
  /** Resolves once the consumer joined its group and started fetching its assigned partitions. */
  ready: Promise<void>;
  /** Rejects if kafkajs gives up on the consumer (it will not restart it); never resolves. */
  crashed: Promise<never>;
  /** A member of its group right now (joined, not rebalancing, stopped or crashed): for `/readyz`. */
  isJoined(): boolean;
  stop(): Promise<void>;
}

/**
 * Messages handled as one unit at most: a consumer far behind fetches up to a megabyte of a
 * partition at once, and one transaction or bulk write per hundred messages bounds the work a
 * retry repeats and how long the store holds a transaction open.
 */
const MAX_BATCH_MESSAGES = 100;

/** Backoff of a transiently failing handler: doubling from 200 ms up to 5 s, until it succeeds. */
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5_000;

/** Joined and fetching: from here on, a new group positioned at the log end sees every new message. */
const readiness = (consumer: Consumer): Promise<void> =>
  new Promise((resolve) => {
    let joined = false;
    const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    const offFetch = consumer.on(consumer.events.FETCH_START, () => {
      if (!joined) return;
      offJoin();
      offFetch();
      resolve();
    });
  });

/** Whether the consumer is a member of its group right now: joined, and not since left it. */
const membership = (consumer: Consumer): (() => boolean) => {
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  for (const left of [consumer.events.REBALANCING, consumer.events.STOP, consumer.events.CRASH])
    consumer.on(left, () => {
      joined = false;
    });
  return () => joined;
};

/** Rejects with kafkajs' error once it crashed for good (`restart: false`); its own restarts are logged. */
const crashOf = (consumer: Consumer, groupId: string, log: Logger): Promise<never> =>
  new Promise((_, reject) => {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        log.warn({ groupId, err: describeFailure(payload.error) }, 'consumer crashed; kafkajs restarts it');
        return;
      }
      reject(payload.error);
    });
  });

const stringHeaders = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.map(String).join(',') : String(value)]],
    ),
  );

/** Where a message came from, for logs (everything of the delivery but its heartbeat). */
const originOf = <D extends { heartbeat: unknown }>({ heartbeat: _, ...origin }: D): Omit<D, 'heartbeat'> =>
  origin;

/** A consumed message, decoded against its contract, with what its span and logs say of it. */
interface Received<K extends TopicKey> {
  decoded: MessageOf<K>;
  message: KafkaMessage;
  delivery: Delivery;
  consumed: Consumed;
  facts: ReturnType<typeof envelopeFacts>;
}

/**
 * Tenant, type, subject and trace context of an envelope (a dead letter, not an envelope, has
 * none). The subject is the resource the message is about: a user's or a group's id for the
 * messages about one (`roster.command.user.create.v1`, `roster.directory.group.changed.v1`…).
 */
const envelopeFacts = (
  decoded: object,
): {
  tenant?: string;
  type?: string;
  userId?: string;
  groupId?: string;
  correlationid?: string;
  traceparent?: string;
} => {
  const { tenant, type, subject, correlationid, traceparent } = decoded as Record<string, unknown>;
  const about =
    typeof type === 'string' && typeof subject === 'string' ? RESOURCE_OF_TYPE.exec(type)?.[1] : undefined;
  return {
    ...(typeof tenant === 'string' ? { tenant } : {}),
    ...(typeof type === 'string' ? { type } : {}),
    ...(about === 'user' ? { userId: subject as string } : {}),
    ...(about === 'group' ? { groupId: subject as string } : {}),
    ...(typeof correlationid === 'string' ? { correlationid } : {}),
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
};

/** One partition's messages of a fetch, decoded, and how to resolve its offset once handled. */
interface PartitionShare<K extends TopicKey> {
  received: Received<K>[];
  handled(offset: string): void;
}

/** Where a unit's messages come from, for logs: `partition:first..last` per partition. */
const offsetRanges = (received: readonly Received<TopicKey>[]): string => {
  const ranges = new Map<number, [string, string]>();
  for (const { delivery } of received) {
    const range = ranges.get(delivery.partition);
    if (range) range[1] = delivery.offset;
    else ranges.set(delivery.partition, [delivery.offset, delivery.offset]);
  }
  return [...ranges].map(([partition, [first, last]]) => `${partition}:${first}..${last}`).join(' ');
};

/** The kind of resource a message type is about, if one: `.user.` or `.group.` in its name. */
const RESOURCE_OF_TYPE = /\.(user|group)\./;

type Attempt = { ok: true } | { ok: false; error: unknown };

/**
 * Runs `work` until it succeeds or fails for a reason that will not go away. Transient failures
 * (broker or store unreachable) are retried with backoff, heartbeating so the group keeps this
 * member; a rebalance (the heartbeat throws) or a stop ends the attempt without committing, so the
 * message is delivered again, never skipped.
 */
const untilSettled = async (
  work: () => Promise<void>,
  /** Where the work comes from (for logs) and how to tell the group this member is alive. */
  delivery: { heartbeat(): Promise<void> },
  stopping: AbortSignal,
  log: Logger,
): Promise<Attempt> => {
  for (let retry = 0; ; retry++) {
    try {
      await work();
      return { ok: true };
    } catch (error) {
      if (!isTransientFailure(error)) return { ok: false, error };
      const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** retry);
      log.warn(
        { ...originOf(delivery), err: describeFailure(error), delayMs },
        'handler failed transiently; retrying',
      );
      await sleep(delayMs, undefined, { signal: stopping }).catch(() => {
        throw error;
      });
      await delivery.heartbeat();
    }
  }
};

/**
 * Consumes one catalogue topic: each message is decoded against its contract and handed to
 * `handle`; the offset is committed only after `handle` resolved (at-least-once, so handlers
 * are idempotent). Transient failures are retried with backoff and the message is never skipped.
 * A message that breaks its contract, or whose handling fails permanently (a document the store
 * refuses, a broken invariant, a bug), is parked on the dead-letter topic with the error and its
 * origin — after `onPoison` had its chance to answer for it — and the partition moves on.
 */
export const runConsumer = async <K extends TopicKey>(
  options: ConsumerOptions<K>,
): Promise<RunningConsumer> => {
  const { kafka, groupId, topic, handle, onPoison, log } = options;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeout ?? 30_000,
    heartbeatInterval: options.heartbeatInterval ?? 3_000,
    maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
    allowAutoTopicCreation: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  const crashed = crashOf(consumer, groupId, log);
  const isJoined = membership(consumer);
  trackConsumerLag(consumer, groupId);
  const deadLetters = new DeadLetters(kafka, groupId);
  const stopping = new AbortController();
  await Promise.all([consumer.connect(), deadLetters.connect()]);
  await consumer.subscribe({ topic: TOPICS[topic].name, fromBeginning: options.fromBeginning ?? true });
  const ready = readiness(consumer);

  /** A message of the batch, decoded; a contract breaker is parked at once and yields nothing. */
  const decodeOrPark = async (
    message: KafkaMessage,
    delivery: Delivery,
  ): Promise<Received<K> | undefined> => {
    const origin = originOf(delivery);
    let decoded: MessageOf<K>;
    try {
      decoded = decodeMessage(topic, message.value);
    } catch (err) {
      if (!(err instanceof ContractViolation)) throw err;
      log.warn({ err: err.message, ...origin }, 'message breaks its contract; dead-lettered');
      await deadLetters.park(origin, message, { kind: err.kind, message: err.message });
      return undefined;
    }
    const facts = envelopeFacts(decoded);
    const consumed = {
      topic: delivery.topic,
      ...facts,
      key: delivery.key,
      traceparent: facts.traceparent ?? delivery.headers.traceparent,
      consumerGroup: groupId,
      partition: delivery.partition,
      offset: message.offset,
    };
    return { decoded, message, delivery, consumed, facts };
  };

  /** One message through `handle`: retried while it fails transiently, answered and parked when it never can be handled. */
  const handleOne = ({ decoded, message, delivery, consumed, facts }: Received<K>): Promise<void> => {
    const origin = originOf(delivery);
    const logFields = {
      ...(facts.tenant ? { tenant: facts.tenant } : {}),
      ...(facts.correlationid ? { correlationid: facts.correlationid } : {}),
    };
    return withLogContext(logFields, () =>
      withProcessSpan(consumed, async () => {
        const handled = await untilSettled(() => handle(decoded, delivery), delivery, stopping.signal, log);
        if (handled.ok) return;
        // Work cut short by a stop (a transfer interrupted between batches…) is not poison: left
        // uncommitted, the message is delivered again and resumes.
        if (stopping.signal.aborted) throw handled.error;
        const reason = describeFailure(handled.error);
        markActiveSpanFailed(reason);
        log.error({ err: handled.error, ...origin, groupId }, 'message cannot be handled; dead-lettered');
        if (onPoison) {
          const answered = await untilSettled(
            () => onPoison(decoded, handled.error, delivery),
            delivery,
            stopping.signal,
            log,
          );
          if (!answered.ok) log.error({ err: answered.error, ...origin, groupId }, 'could not answer for it');
        }
        await deadLetters.park(origin, message, { kind: 'failed', message: reason });
      }),
    );
  };

  /**
   * Several messages through `handleBatch` (of one partition or several), retried as a whole while
   * it fails transiently; a batch that fails permanently is handled again message by message,
   * which isolates the message that cannot be handled (the handlers are idempotent).
   */
  const handleMany = async (handleBatch: BatchHandler<K>, received: Received<K>[]): Promise<void> => {
    const at = { topic: received[0]!.delivery.topic, offsets: offsetRanges(received) };
    const { heartbeat } = received[0]!.delivery;
    const handled = await withProcessSpans(
      received.map((r) => r.consumed),
      () =>
        untilSettled(
          () =>
            handleBatch(
              received.map((r) => r.decoded),
              { heartbeat },
            ),
          { ...at, heartbeat },
          stopping.signal,
          log,
        ),
    );
    if (handled.ok) return;
    if (stopping.signal.aborted) throw handled.error;
    log.warn(
      { err: describeFailure(handled.error), ...at, groupId },
      'batch cannot be handled as a whole; handling its messages one by one',
    );
    for (const item of received) await handleOne(item);
  };

  /**
   * The partitions' shares of one fetch, handled together a hundred messages at a time, each
   * share's messages in their order; after each unit, every share in it has its offset resolved.
   */
  const handleShares = async (handleBatch: BatchHandler<K>, shares: PartitionShare<K>[]): Promise<void> => {
    const unit: { share: PartitionShare<K>; item: Received<K> }[] = [];
    const handleUnit = async () => {
      if (unit.length === 1) await handleOne(unit[0]!.item);
      else
        await handleMany(
          handleBatch,
          unit.map(({ item }) => item),
        );
      const reached = new Map(unit.map(({ share, item }) => [share, item.delivery.offset]));
      for (const [share, offset] of reached) share.handled(offset);
      unit.length = 0;
    };
    for (const share of shares)
      for (const item of share.received) {
        unit.push({ share, item });
        if (unit.length === MAX_BATCH_MESSAGES) await handleUnit();
      }
    if (unit.length > 0) await handleUnit();
  };

  const deliveryOf = (
    topicName: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Delivery => ({
    topic: topicName,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    headers: stringHeaders(message.headers),
    heartbeat,
  });

  const commits = (options.commitOffsets ?? true) ? new OffsetCommits(consumer, groupId, log) : undefined;
  const { handleBatch } = options;
  const fetched = handleBatch
    ? new FetchedTogether<PartitionShare<K>>((shares) => handleShares(handleBatch, shares))
    : undefined;
  await consumer.run({
    // Offsets are resolved here, as messages are handled, and committed by `commits`.
    autoCommit: false,
    eachBatchAutoResolve: false,
    // Partitions are handled in parallel; messages of one partition (one key) stay in order.
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 16,
    eachBatch: async ({ batch, heartbeat, resolveOffset, isRunning, isStale, commitOffsetsIfNecessary }) => {
      const handled = (offset: string) => {
        resolveOffset(offset);
        commits?.handled(batch.topic, batch.partition, offset, commitOffsetsIfNecessary);
      };
      const deliveryOfMessage = (message: KafkaMessage) =>
        deliveryOf(batch.topic, batch.partition, message, heartbeat);
      if (fetched) {
        const received: Received<K>[] = [];
        for (const message of batch.messages) {
          const item = await decodeOrPark(message, deliveryOfMessage(message));
          if (item) received.push(item);
        }
        if (received.length > 0) await fetched.submit({ received, handled });
        if (batch.messages.length > 0) handled(batch.lastOffset());
      } else {
        for (const message of batch.messages) {
          // A stop or a seek (rebalance) ends the batch: the rest is delivered again.
          if (!isRunning() || isStale()) break;
          const item = await decodeOrPark(message, deliveryOfMessage(message));
          if (item) await handleOne(item);
          handled(message.offset);
          await heartbeat();
        }
      }
      await commits?.commitIfDue(!isRunning());
    },
  });
  return {
    consumer,
    ready,
    crashed,
    isJoined,
    async stop() {
      stopping.abort();
      // The batch in flight commits what it handled as it ends (it sees the consumer stopping).
      await commits?.flush();
      await consumer.disconnect();
      commits?.close();
      await deadLetters.close();
    },
  };
};
