import rateLimit from '@fastify/rate-limit';
import { ScimError } from '@roster/scim';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sendScimError } from './scim-errors.ts';
import { isWrite } from './scim-writes.ts';
import { WriteSlots } from './write-slots.ts';

/** Each organization's share of one ingress replica (the limits are per replica). */
export interface TenantShare {
  /** SCIM requests (reads, writes and each Bulk operation) per window. */
  requestsPerWindow: number;
  windowMs: number;
  /** SCIM writes awaiting their result at once: what an organization may hold of the pipeline alone… */
  writesInFlight: number;
  /** …and while other organizations are writing too. */
  sharedWritesInFlight: number;
}

/** A write slot frees as soon as one of the organization's writes is answered: retry soon. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

const tooMany = (detail: string) => new ScimError(429, detail);

/**
 * Fairness between organizations: a request-rate budget per window and a cap on writes in flight,
 * both keyed by the authenticated organization: checked right after SCIM auth (onRequest) and
 * before the body is read, so a refusal costs no parsing. Beyond
 * its share an organization gets `429` with `Retry-After`, which Okta and Entra honour; the other
 * organizations keep the rest of the pipeline.
 */
export const tenantFairness = fp(async (app: FastifyInstance, share: TenantShare) => {
  await app.register(rateLimit, {
    hook: 'preParsing',
    max: share.requestsPerWindow,
    timeWindow: share.windowMs,
    keyGenerator: (request) => request.scimIdentity.tenant,
    errorResponseBuilder: (_request, context) =>
      tooMany(
        `this organization sent more than ${context.max} requests in ${share.windowMs / 1000} s; retry in ${context.after}`,
      ),
  });

  const slots = new WriteSlots({ alone: share.writesInFlight, shared: share.sharedWritesInFlight });
  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isWrite(request)) return;
    const { tenant } = request.scimIdentity;
    if (!slots.acquire(tenant)) {
      reply.header('retry-after', String(IN_FLIGHT_RETRY_AFTER_SECONDS));
      const held = slots.heldBy(tenant);
      return sendScimError(
        reply,
        tooMany(`this organization already has ${held} writes in progress; retry when one is answered`),
      );
    }
    // 'close' comes exactly once: after the answer, or when the client goes away first.
    reply.raw.once('close', () => slots.release(tenant));
  });
});
