import { ScimError } from '@roster/scim';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { CommandLag } from '../backpressure/command-lag.ts';
import { DrainRate } from '../backpressure/drain-rate.ts';
import { type BackpressureLimits, refusalOf } from '../backpressure/policy.ts';
import { scimMetrics } from '../scim-metrics.ts';
import { sendScimError } from './scim-errors.ts';
import { isWrite } from './scim-writes.ts';

export interface BackpressureOptions {
  limits: BackpressureLimits;
  commandLag: Pick<CommandLag, 'current'>;
  /** Command results per second, as this replica's results consumer sees them (all replicas'). */
  results: Pick<DrainRate, 'perSecond'>;
}

/**
 * Backpressure for the whole pipeline: while the command lag or this replica's writes in flight
 * are past their limits, a SCIM write is answered `503` + Retry-After (the time the current drain
 * rate needs for what is queued) at once, before its body is read, instead of joining the queue
 * and spending its deadline; the IdP backs off. Reads are never refused: they do not queue.
 */
export const backpressureGuard = fp(async (app: FastifyInstance, options: BackpressureOptions) => {
  const answers = new DrainRate();
  let writesInFlight = 0;
  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isWrite(request)) return;
    const refusal = refusalOf(
      {
        commandLag: options.commandLag.current(),
        writesInFlight,
        resultsPerSecond: options.results.perSecond(),
        answersPerSecond: answers.perSecond(),
      },
      options.limits,
    );
    if (refusal) {
      scimMetrics.writeRefused(refusal.reason);
      reply.header('retry-after', String(refusal.retryAfterSeconds));
      return sendScimError(reply, new ScimError(503, refusal.detail));
    }
    writesInFlight++;
    scimMetrics.writeAdmitted();
    // 'close' comes exactly once: after the answer, or when the client goes away first.
    reply.raw.once('close', () => {
      writesInFlight--;
      answers.record();
      scimMetrics.writeFinished();
    });
  });
});
