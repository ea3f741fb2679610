import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * Spans of Kafka traffic, named and attributed by the messaging semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/messaging/kafka/), plus Roster's own
 * `roster.tenant` and `roster.command.type`. The W3C `traceparent` of an envelope is the trace
 * context: the consumer's span continues it, and what a handler publishes names the handler's span.
 */
const tracer = trace.getTracer('@roster/service-kit');

/** What every span of one message says about it: which tenant, which type, which key. */
export interface MessageFacts {
  topic: string;
  tenant?: string | undefined;
  type?: string | undefined;
  /** The user the message is about, if it is about one. */
  userId?: string | undefined;
  /** The group the message is about, if it is about one. */
  groupId?: string | undefined;
  key: string | null;
}

const messageAttributes = ({ topic, tenant, type, userId, groupId, key }: MessageFacts): Attributes => ({
  'messaging.system': 'kafka',
  'messaging.destination.name': topic,
  ...(key === null ? {} : { 'messaging.kafka.message.key': key }),
  ...(tenant === undefined ? {} : { 'roster.tenant': tenant }),
  ...(type === undefined ? {} : { 'roster.command.type': type }),
  ...(userId === undefined ? {} : { 'roster.user.id': userId }),
  ...(groupId === undefined ? {} : { 'roster.group.id': groupId }),
});

/** One `send` span per publish of a batch to one topic, a child of whatever is active. */
export const withSendSpan = async <T>(
  topic: string,
  messages: readonly MessageFacts[],
  send: () => Promise<T>,
): Promise<T> => {
  const [first] = messages;
  const span = tracer.startSpan(`send ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      ...(first && messages.length === 1 ? messageAttributes(first) : { 'messaging.system': 'kafka' }),
      'messaging.destination.name': topic,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      ...(messages.length > 1 ? { 'messaging.batch.message_count': messages.length } : {}),
    },
  });
  return endingWith([span], () => context.with(trace.setSpan(context.active(), span), send));
};

export interface Consumed extends MessageFacts {
  traceparent?: string | undefined;
  consumerGroup: string;
  partition: number;
  offset: string;
}

const parentOf = (message: Consumed) =>
  message.traceparent
    ? propagation.extract(ROOT_CONTEXT, { traceparent: message.traceparent })
    : ROOT_CONTEXT;

const startProcessSpan = (message: Consumed, batchSize: number): Span =>
  tracer.startSpan(
    `process ${message.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messageAttributes(message),
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.consumer.group.name': message.consumerGroup,
        'messaging.destination.partition.id': String(message.partition),
        'messaging.kafka.offset': Number(message.offset),
        ...(batchSize > 1 ? { 'messaging.batch.message_count': batchSize } : {}),
      },
    },
    parentOf(message),
  );

/** The `process` span of one consumed message, continuing its envelope's trace; `handle` runs inside it. */
export const withProcessSpan = async <T>(message: Consumed, handle: () => Promise<T>): Promise<T> => {
  const span = startProcessSpan(message, 1);
  return endingWith([span], () => context.with(trace.setSpan(parentOf(message), span), handle));
};

/**
 * The `process` spans of messages handled together: one per message, each continuing its own
 * envelope's trace (so every SCIM call's trace shows the batch that handled it), all lasting the
 * batch; the batch's own calls (store, publish) are children of the first message's span.
 */
export const withProcessSpans = async <T>(
  messages: readonly Consumed[],
  handle: () => Promise<T>,
): Promise<T> => {
  const spans = messages.map((m) => startProcessSpan(m, messages.length));
  return endingWith(spans, () => context.with(trace.setSpan(parentOf(messages[0]!), spans[0]!), handle));
};

/** Marks the active span failed (a dead-lettered message) without ending it. */
export const markActiveSpanFailed = (reason: string): void => {
  trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: reason });
};

const endingWith = async <T>(spans: Span[], work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (err) {
    for (const span of spans) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
    }
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
};
