import { checkBodyDepth, LIMITS, MESSAGE, ScimError, scimErrors } from '@roster/scim';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { baseUrlOf } from '../../http/respond.ts';

interface BulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

interface BulkRequest {
  schemas: string[];
  failOnErrors?: number;
  Operations: BulkOperation[];
}

const bulkRequestSchema = {
  type: 'object',
  required: ['schemas', 'Operations'],
  properties: {
    schemas: { type: 'array', items: { type: 'string' } },
    failOnErrors: { type: 'integer', minimum: 1 },
    Operations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['method', 'path'],
        properties: {
          method: {
            type: 'string',
            enum: ['POST', 'PUT', 'PATCH', 'DELETE', 'post', 'put', 'patch', 'delete'],
          },
          bulkId: { type: 'string', minLength: 1 },
          version: { type: 'string' },
          path: { type: 'string', pattern: '^/' },
          data: {},
        },
      },
    },
  },
} as const;

const BULK_ID_REF = /bulkId:([^"/\s]+)/g;

/** bulkIds an operation's path or data refers to (RFC 7644 §3.7.2). */
const referencedBulkIds = (op: BulkOperation): string[] =>
  [...`${op.path} ${JSON.stringify(op.data ?? null)}`.matchAll(BULK_ID_REF)].map((m) => m[1]!);

const resolve = (text: string, ids: Map<string, string>): string =>
  text.replace(BULK_ID_REF, (whole, bulkId: string) => ids.get(bulkId) ?? whole);

/** Marks the requests Bulk dispatches, so that none of them can be a Bulk request itself. */
const DISPATCHED_HEADER = 'x-roster-bulk-operation';

const SCIM_BASE = '/scim/v2';

/** The route an operation path reaches, as the router sees it (dot segments, escapes and case resolved). */
const routeOf = (path: string): string => {
  const pathname = new URL(`${SCIM_BASE}${path}`, 'http://bulk.invalid').pathname;
  try {
    return decodeURIComponent(pathname).toLowerCase();
  } catch {
    return pathname.toLowerCase();
  }
};

/** Nested Bulk would multiply maxOperations (finding 5): refused before any operation runs. */
const checkNotNested = (request: FastifyRequest<{ Body: BulkRequest }>): void => {
  const bulkRoute = `${SCIM_BASE}/bulk`;
  const nested =
    request.headers[DISPATCHED_HEADER] !== undefined ||
    request.body.Operations.some(({ path }) => {
      const route = routeOf(path);
      return route === bulkRoute || route.startsWith(`${bulkRoute}/`);
    });
  if (nested) throw scimErrors.invalidPath('A Bulk operation cannot be a Bulk request (path /Bulk)');
};

/** An operation's resource URL (RFC 7644 §3.7.3): from the answer, or its path when it answered 204. */
const locationOf = (request: FastifyRequest, path: string, json: Record<string, unknown> | undefined) =>
  (json?.meta as { location?: string } | undefined)?.location ?? `${baseUrlOf(request)}${path.split('?')[0]}`;

/** Whether the client has gone: then Bulk stops before its next operation. */
const disconnection = (reply: FastifyReply): (() => boolean) => {
  let gone = false;
  reply.raw.once('close', () => {
    gone = !reply.raw.writableFinished;
  });
  return () => gone;
};

/**
 * /Bulk: each operation is dispatched through the same SCIM routes (same auth, normalization and
 * pipeline) in an order that resolves bulkId references; an operation whose reference cannot be
 * resolved (unknown or circular) fails with 409 instead of running with a dangling id. Limits
 * (RFC 7644 §3.7.4): at most LIMITS.maxBulkOperations operations and maxBulkPayloadBytes, else
 * 413; no operation may target /Bulk; a client that disconnects stops the rest.
 */
export const bulkRoutes = async (app: FastifyInstance) => {
  app.post<{ Body: BulkRequest }>(
    '/Bulk',
    { bodyLimit: LIMITS.maxBulkPayloadBytes, schema: { body: bulkRequestSchema } },
    async (request: FastifyRequest<{ Body: BulkRequest }>, reply) => {
      const body = request.body;
      // before anything walks the operations recursively (a 500,000-level `data` overflows the stack)
      checkBodyDepth(body);
      if (!body.schemas.includes(MESSAGE.bulkRequest))
        throw scimErrors.invalidSyntax(`schemas must include ${MESSAGE.bulkRequest}`);
      if (body.Operations.length > LIMITS.maxBulkOperations) {
        throw new ScimError(413, `at most ${LIMITS.maxBulkOperations} operations per bulk request`);
      }
      checkNotNested(request);
      const clientGone = disconnection(reply);
      // Read once per operation, not once per round (finding 5).
      const references = body.Operations.map(referencedBulkIds);
      const created = new Map<string, string>();
      const results: (Record<string, unknown> | undefined)[] = body.Operations.map(() => undefined);
      const pending = new Set(body.Operations.keys());
      let errors = 0;
      const failOnErrors = body.failOnErrors ?? Number.POSITIVE_INFINITY;

      while (pending.size > 0 && errors < failOnErrors && !clientGone()) {
        const runnable = [...pending].find((i) => references[i]!.every((id) => created.has(id)));
        const index = runnable ?? Math.min(...pending);
        pending.delete(index);
        const op = body.Operations[index]!;
        const method = op.method.toUpperCase() as BulkOperation['method'];
        const summary = { method, ...(op.bulkId ? { bulkId: op.bulkId } : {}) };
        if (runnable === undefined) {
          errors++;
          const error = new ScimError(409, `unresolvable bulkId reference in ${op.path}`);
          results[index] = { ...summary, status: '409', response: error.toBody() };
          continue;
        }
        const path = resolve(op.path, created);
        const response = await app.inject({
          method,
          url: `${SCIM_BASE}${path}`,
          headers: {
            [DISPATCHED_HEADER]: '1',
            authorization: request.headers.authorization ?? '',
            // a DELETE has no body, and a content type without one is a 400
            ...(op.data === undefined ? {} : { 'content-type': 'application/scim+json' }),
            ...(op.version ? { 'if-match': op.version } : {}),
            ...(request.headers.traceparent ? { traceparent: request.headers.traceparent } : {}),
          },
          ...(op.data === undefined ? {} : { payload: resolve(JSON.stringify(op.data), created) }),
        });
        const json = response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined;
        const ok = response.statusCode < 400;
        if (!ok) errors++;
        if (ok && method === 'POST' && op.bulkId && typeof json?.id === 'string')
          created.set(op.bulkId, json.id);
        results[index] = {
          ...summary,
          ...(response.headers.etag ? { version: response.headers.etag } : {}),
          ...(ok ? { location: locationOf(request, path, json) } : {}),
          status: String(response.statusCode),
          ...(ok ? {} : { response: json }),
        };
      }
      return { schemas: [MESSAGE.bulkResponse], Operations: results.filter((r) => r !== undefined) };
    },
  );
};
