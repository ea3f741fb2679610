import { randomUUID } from 'node:crypto';
import { CLOUDEVENTS_CONTENT_TYPE, CLOUDEVENTS_SPECVERSION, type EnvelopeMeta } from './envelope.ts';
import { partitionKey } from './topics.ts';

type Message = EnvelopeMeta & { type: string; data: unknown };
type Produced<T extends Message> = Omit<T, 'specversion' | 'id' | 'time' | 'datacontenttype' | 'dataschema'> &
  Partial<Pick<EnvelopeMeta, 'id' | 'time'>>;

/** Fills the CloudEvents attributes every message shares; `id` defaults to a fresh UUID. */
export const envelope = <T extends Message>(message: Produced<T>): T =>
  ({
    specversion: CLOUDEVENTS_SPECVERSION,
    id: message.id ?? randomUUID(),
    time: message.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:roster:schema:${message.type}`,
    ...message,
  }) as unknown as T;

export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** A CloudEvent in structured mode: the whole event is the value; trace context is also a header. */
export const toKafkaRecord = (event: EnvelopeMeta & { type: string }): KafkaRecord => ({
  key: partitionKey(event.tenant, event.subject),
  value: JSON.stringify(event),
  headers: {
    'content-type': CLOUDEVENTS_CONTENT_TYPE,
    'ce-type': event.type,
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  },
});
