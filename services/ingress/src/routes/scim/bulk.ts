import { MESSAGE, ScimError, scimErrors } from '@roster/scim';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Advertised in /ServiceProviderConfig and enforced here. */
export const BULK_LIMITS = { maxOperations: 100, maxPayloadSize: 1_048_576 } as const;

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

/**
 * /Bulk: each operation is dispatched through the same SCIM routes (same auth, normalization and
 * pipeline) in an order that resolves bulkId references; an operation whose reference cannot be
 * resolved (unknown or circular) fails with 409 instead of running with a dangling id.
 */
export const bulkRoutes = async (app: FastifyInstance) => {
  app.post<{ Body: BulkRequest }>(
    '/Bulk',
    { bodyLimit: BULK_LIMITS.maxPayloadSize, schema: { body: bulkRequestSchema } },
    async (request: FastifyRequest<{ Body: BulkRequest }>) => {
      const body = request.body;
      if (!body.schemas.includes(MESSAGE.bulkRequest))
        throw scimErrors.invalidSyntax(`schemas must include ${MESSAGE.bulkRequest}`);
      if (body.Operations.length > BULK_LIMITS.maxOperations) {
        throw new ScimError(413, `at most ${BULK_LIMITS.maxOperations} operations per bulk request`);
      }
      const created = new Map<string, string>();
      const results: (Record<string, unknown> | undefined)[] = body.Operations.map(() => undefined);
      const pending = new Set(body.Operations.keys());
      let errors = 0;
      const failOnErrors = body.failOnErrors ?? Number.POSITIVE_INFINITY;

      while (pending.size > 0 && errors < failOnErrors) {
        const runnable = [...pending].find((i) =>
          referencedBulkIds(body.Operations[i]!).every((id) => created.has(id)),
        );
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
        const response = await app.inject({
          method,
          url: `/scim/v2${resolve(op.path, created)}`,
          headers: {
            authorization: request.headers.authorization ?? '',
            'content-type': 'application/scim+json',
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
          ...(ok && json?.meta ? { location: (json.meta as { location?: string }).location } : {}),
          status: String(response.statusCode),
          ...(ok ? {} : { response: json }),
        };
      }
      return { schemas: [MESSAGE.bulkResponse], Operations: results.filter((r) => r !== undefined) };
    },
  );
};
