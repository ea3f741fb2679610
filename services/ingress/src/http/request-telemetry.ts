import type { Attributes } from '@opentelemetry/api';
import type { Command } from '@roster/contracts';
import type { Logger } from '@roster/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { scimMetrics } from '../scim-metrics.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The type of the command this SCIM call became, once it is one. */
    scimCommandType: string | undefined;
  }
}

/**
 * What the request's span and log lines say about the call: its HTTP server span (whichever hook
 * or handler is running), and the request's logger, whose bindings every later line of the
 * request (and "request completed") carries.
 */
const describe = (request: FastifyRequest, attributes: Attributes, logBindings?: Record<string, string>) => {
  request.serverSpan?.setAttributes(attributes);
  if (logBindings) (request.log as Partial<Logger>).setBindings?.(logBindings);
};

/** After authentication: the organization the call acts for (spans and logs only, never metrics). */
export const describeTenant = (request: FastifyRequest, tenant: string): void =>
  describe(request, { 'roster.tenant': tenant }, { tenant });

const RESOURCE_ATTRIBUTE = { user: 'roster.user.id', group: 'roster.group.id' } as const;

/** `roster.command.user.create.v1` → the user attribute; unknown shapes get none. */
const resourceAttributeOf = (type: string): string | undefined =>
  RESOURCE_ATTRIBUTE[type.split('.')[2] as keyof typeof RESOURCE_ATTRIBUTE];

/** Once the call is a command: its type, the resource it is about and its correlation id. */
export const describeCommand = (request: FastifyRequest, command: Command): void => {
  request.scimCommandType = command.type;
  const resource = resourceAttributeOf(command.type);
  describe(
    request,
    { 'roster.command.type': command.type, ...(resource ? { [resource]: command.subject } : {}) },
    { correlationid: command.correlationid },
  );
};

/** Reads of one resource name it too. */
const ROUTE_RESOURCE: Record<string, string> = {
  '/scim/v2/Users/:id': RESOURCE_ATTRIBUTE.user,
  '/scim/v2/Groups/:id': RESOURCE_ATTRIBUTE.group,
};

/** SCIM request telemetry: resource ids on spans, and the end-to-end latency of every write. */
export const requestTelemetry = fp(async (app: FastifyInstance) => {
  app.decorateRequest('scimCommandType', undefined);
  app.addHook('preHandler', async (request) => {
    const attribute = ROUTE_RESOURCE[request.routeOptions.url ?? ''];
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (attribute && typeof id === 'string') describe(request, { [attribute]: id });
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.scimCommandType)
      scimMetrics.writeAnswered(request.scimCommandType, reply.statusCode, reply.elapsedTime / 1000);
  });
});
