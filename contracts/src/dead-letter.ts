import { type Static, Type } from '@sinclair/typebox';

/**
 * A message a consumer could not accept (unparseable, invalid against its contract, or failing
 * permanently). It is parked here with everything needed to inspect and replay it, and the
 * consumer moves on, so one bad message never stops a partition. Not a CloudEvent: the original
 * may not even be JSON, so it is wrapped, not interpreted.
 */
export const DeadLetter = Type.Object(
  {
    id: Type.String(),
    failedAt: Type.String({ format: 'date-time' }),
    consumerGroup: Type.String(),
    origin: Type.Object(
      {
        topic: Type.String(),
        partition: Type.Integer({ minimum: 0 }),
        offset: Type.String({ description: 'Kafka offset as a decimal string (int64)' }),
        key: Type.Union([Type.String(), Type.Null()]),
        headers: Type.Record(Type.String(), Type.String()),
      },
      { additionalProperties: false },
    ),
    error: Type.Object(
      {
        kind: Type.Union([Type.Literal('unparseable'), Type.Literal('invalid'), Type.Literal('failed')]),
        message: Type.String(),
      },
      { additionalProperties: false },
    ),
    value: Type.Object(
      {
        encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
        data: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'roster.dead-letter.v1', title: 'roster.dead-letter.v1' },
);
export type DeadLetter = Static<typeof DeadLetter>;
