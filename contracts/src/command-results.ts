import { type Static, Type } from '@sinclair/typebox';
import { Envelope } from './envelope.ts';

/**
 * Command results: the status service tells the ingress replica waiting on a SCIM call how it
 * ended, once the steps that call waits for are done. `response` is what the IdP receives;
 * the ingress adds the headers it derives (ETag from meta.version, Location and meta.location from
 * its own base URL).
 */
export const CommandResult = Envelope(
  'roster.command.result.v1',
  Type.Object(
    {
      commandId: Type.String(),
      response: Type.Object(
        {
          status: Type.Integer({ minimum: 200, maximum: 599 }),
          body: Type.Optional(Type.Unknown({ description: 'SCIM resource or SCIM Error JSON' })),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  'The folded result of one command, as the SCIM response.',
);
export type CommandResult = Static<typeof CommandResult>;
