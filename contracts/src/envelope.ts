import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * Every message on every Roster topic is a CloudEvents 1.0 event in structured JSON mode
 * (Kafka value = the whole event, header `content-type: application/cloudevents+json`).
 * CloudEvents requires lower-case alphanumeric extension names, so the correlation and causation
 * ids travel as `correlationid` / `causationid`; `traceparent` is the CloudEvents
 * distributed-tracing extension and is also copied into a Kafka header for OpenTelemetry propagators.
 */
export const CLOUDEVENTS_SPECVERSION = '1.0';
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';

export const EnvelopeAttributes = {
  specversion: Type.Literal(CLOUDEVENTS_SPECVERSION),
  id: Type.String({ minLength: 1, description: 'unique per message; consumers dedupe on it' }),
  source: Type.String({ minLength: 1, description: 'producing service, e.g. /roster/ingress' }),
  time: Type.String({ format: 'date-time' }),
  datacontenttype: Type.Literal('application/json'),
  dataschema: Type.String({ description: 'URN of the data schema, including its major version' }),
  tenant: Type.String({ minLength: 1, description: 'organization id' }),
  subject: Type.String({ minLength: 1, description: 'user or group id the message is about' }),
  correlationid: Type.String({
    minLength: 1,
    description: 'id of the SCIM request / command this flows from',
  }),
  causationid: Type.Optional(
    Type.String({ minLength: 1, description: 'id of the message that caused this one' }),
  ),
  traceparent: Type.Optional(
    Type.String({ pattern: TRACEPARENT_PATTERN, description: 'W3C trace context of the SCIM request' }),
  ),
};

/** An envelope whose `type` is fixed and whose `data` follows `data`. Types end in `.v<major>`. */
export const Envelope = <Name extends string, Data extends TSchema>(
  type: Name,
  data: Data,
  description: string,
) =>
  Type.Object(
    { ...EnvelopeAttributes, type: Type.Literal(type), data },
    { additionalProperties: false, $id: type, title: type, description },
  );

const EnvelopeMetaSchema = Type.Object(EnvelopeAttributes);
export type EnvelopeMeta = Static<typeof EnvelopeMetaSchema>;
