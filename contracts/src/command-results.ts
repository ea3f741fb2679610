import { type Static, Type } from '@sinclair/typebox';
import { Envelope } from './envelope.ts';
import { ScimErrorBody } from './scim/error-body.ts';

/**
 * Command results: the status service tells the ingress replica waiting on a SCIM call how it
 * ended, once the steps that call waits for are done. `response` is what the IdP receives:
 * a status with either the stored document (rendered by the ingress with its own base URL, ETag
 * from meta.version) or a SCIM error.
 */
export const CommandResult = Envelope(
  'roster.command.result.v1',
  Type.Object(
    {
      commandId: Type.String(),
      response: Type.Object(
        {
          status: Type.Integer({ minimum: 200, maximum: 599 }),
          resourceType: Type.Optional(Type.Union([Type.Literal('User'), Type.Literal('Group')])),
          document: Type.Optional(
            Type.Unknown({ description: 'the read-model document (scim/read-model.ts) the ingress renders' }),
          ),
          error: Type.Optional(ScimErrorBody),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  'The folded result of one command, as the SCIM response.',
);
export type CommandResult = Static<typeof CommandResult>;
