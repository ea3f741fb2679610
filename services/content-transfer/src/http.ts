import type { ContentItemDocument } from '@roster/contracts';
import { bearerCheck } from '@roster/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ContentStore, NewItem } from './store/content.ts';

/** The JSON an item is shown as (the admin API's `{id, title, ownerUserId, folder}` plus the rest). */
export const itemJson = (item: ContentItemDocument) => ({
  id: item._id,
  tenant: item.tenant,
  ownerUserId: item.ownerUserId,
  title: item.title,
  kind: item.kind,
  folder: item.folder,
  createdAt: item.createdAt,
  ...(item.transfer ? { transfer: item.transfer } : {}),
});

const nonEmpty = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const itemProperties = {
  ownerUserId: nonEmpty,
  title: nonEmpty,
  kind: { type: 'string', enum: ['video', 'folder'] },
  folder: { type: ['string', 'null'], maxLength: 1024 },
} as const;

export const MAX_BULK_ITEMS = 10_000;

/**
 * Development seeding only (ROSTER_DEV_MODE=true): since this service is the only writer of
 * `content_items`, the admin API's `POST /admin/v1/orgs/{orgId}/content` forwards here, with the
 * admin token (the admin API has checked the organization and the owner).
 */
const buildHttp = (store: ContentStore, adminToken: string): FastifyInstance => {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  const isAdmin = bearerCheck(adminToken);
  app.addHook('onRequest', async (request, reply) => {
    if (!isAdmin(request.headers.authorization))
      return reply.code(401).send({ error: 'a valid admin bearer token is required' });
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  app.post<{ Body: NewItem & { tenant: string } }>(
    '/internal/content',
    {
      schema: {
        body: {
          type: 'object',
          required: ['tenant', 'ownerUserId', 'title'],
          additionalProperties: false,
          properties: { tenant: nonEmpty, ...itemProperties },
        },
      },
    },
    async (req, reply) => reply.code(201).send(itemJson(await store.createItem(req.body))),
  );
  app.post<{ Body: { tenant: string; items: NewItem[] } }>(
    '/internal/content/bulk',
    {
      schema: {
        body: {
          type: 'object',
          required: ['tenant', 'items'],
          additionalProperties: false,
          properties: {
            tenant: nonEmpty,
            items: {
              type: 'array',
              maxItems: MAX_BULK_ITEMS,
              items: {
                type: 'object',
                required: ['ownerUserId', 'title'],
                additionalProperties: false,
                properties: itemProperties,
              },
            },
          },
        },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send({ items: (await store.createItems(req.body.tenant, req.body.items)).map(itemJson) }),
  );
  return app;
};

export interface SeedingEndpoint {
  /** Its base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/** Development servers' only audience is this machine: the endpoint listens on loopback, always. */
const LOOPBACK = '127.0.0.1';

/** Starts the seeding endpoint on `port` (0 = a free one) of the loopback interface. */
export const startSeedingEndpoint = async (
  store: ContentStore,
  { port, adminToken }: { port: number; adminToken: string },
): Promise<SeedingEndpoint> => {
  const http = buildHttp(store, adminToken);
  await http.listen({ port, host: LOOPBACK });
  const address = http.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${LOOPBACK}:${bound}`,
    close: () => http.close(),
  };
};
