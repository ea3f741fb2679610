import { randomUUID } from 'node:crypto';
import type { CommandResult } from './command-results.ts';
import type { Command } from './commands.ts';
import type { GroupChanged, GroupChangedV1, UserChanged } from './directory-changes.ts';
import { CLOUDEVENTS_CONTENT_TYPE, CLOUDEVENTS_SPECVERSION, type EnvelopeMeta } from './envelope.ts';
import type { LifecycleEvent } from './lifecycle.ts';
import type { OrganizationSettingsChanged, WorkspaceChanged } from './org-changes.ts';
import type { StepOutcome } from './outcomes.ts';
import { partitionKey } from './topics.ts';

/** Every CloudEvent Roster publishes, by its `type`. */
export type AnyEvent =
  | Command
  | UserChanged
  | GroupChanged
  | GroupChangedV1
  | StepOutcome
  | CommandResult
  | LifecycleEvent
  | WorkspaceChanged
  | OrganizationSettingsChanged;
export type EventOfType<T extends AnyEvent['type']> = Extract<AnyEvent, { type: T }>;

/** The attributes a producer chooses; the rest are filled in (`id` defaults to a fresh UUID). */
export type EventAttributes = Pick<EnvelopeMeta, 'source' | 'tenant' | 'subject' | 'correlationid'> &
  Partial<Pick<EnvelopeMeta, 'id' | 'time' | 'causationid' | 'traceparent'>>;

let lastEventMicros = 0;

/**
 * An event's `time`: RFC 3339 with microseconds, the wall clock's milliseconds and, within one,
 * a count that only grows in this process. Events one process creates in the same millisecond (a
 * batch's outcomes) keep the order they were created in, so the audit trail, ordered by time,
 * shows the later of two reports last.
 */
export const eventTime = (): string => {
  lastEventMicros = Math.max(Date.now() * 1000, lastEventMicros + 1);
  const millis = Math.floor(lastEventMicros / 1000);
  return `${new Date(millis).toISOString().slice(0, -1)}${String(lastEventMicros % 1000).padStart(3, '0')}Z`;
};

export const envelope = <T extends AnyEvent['type']>(
  type: T,
  attributes: EventAttributes,
  data: EventOfType<T>['data'],
): EventOfType<T> =>
  ({
    specversion: CLOUDEVENTS_SPECVERSION,
    id: randomUUID(),
    time: eventTime(),
    datacontenttype: 'application/json',
    dataschema: `urn:roster:schema:${type}`,
    ...attributes,
    type,
    data,
  }) as EventOfType<T>;

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
