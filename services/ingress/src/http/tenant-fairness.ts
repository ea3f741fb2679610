import { setTimeout as sleep } from 'node:timers/promises';
import rateLimit from '@fastify/rate-limit';
import type { Command } from '@roster/contracts';
import { ScimError } from '@roster/scim';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { CommandBus } from '../pipeline/command-bus.ts';
import { writeWeight } from '../pipeline/write-weight.ts';
import { ChangeBudgets } from './change-budget.ts';
import { TooManyRequests } from './scim-errors.ts';
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
  /** Changes per second (a write is 1 plus the group members it names) while others write. */
  sharedChangesPerSecond: number;
}

/** A write slot frees as soon as one of the organization's writes is answered: retry soon. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/**
 * Longest a write waits here for its organization's change budget; a longer wait is answered 429
 * (Retry-After has whole seconds: a shorter wait is cheaper for the IdP spent here).
 */
const MAX_BUDGET_WAIT_MS = 1_000;

/** What the SCIM routes send commands through. */
export type CommandSender = Pick<CommandBus, 'send'>;

/**
 * Fairness between organizations, keyed by the authenticated organization: a request-rate budget
 * per window and a cap on writes in flight, checked right after SCIM auth (onRequest) and before
 * the body is read, so a refusal costs no parsing; and, while other organizations write, a budget
 * of changes per second charged when a command is sent, since writes differ in cost (a group
 * PATCH naming 100 members costs the pipeline about 20 user creates; the slots alone would let
 * one organization sending such PATCHes one after another take most of it). Beyond its share an
 * organization gets `429` with `Retry-After`, which Okta and Entra honour; the other
 * organizations keep the rest of the pipeline.
 */
export class TenantFairness {
  readonly #share: TenantShare;
  readonly #slots: WriteSlots;
  readonly #budgets: ChangeBudgets;

  constructor(share: TenantShare) {
    this.#share = share;
    this.#slots = new WriteSlots({ alone: share.writesInFlight, shared: share.sharedWritesInFlight });
    this.#budgets = new ChangeBudgets({
      perSecond: share.sharedChangesPerSecond,
      maxWaitMs: MAX_BUDGET_WAIT_MS,
    });
  }

  /** The request budget and the write slots, as hooks of the SCIM scope. */
  readonly hooks = fp(async (app: FastifyInstance) => {
    const share = this.#share;
    await app.register(rateLimit, {
      hook: 'preParsing',
      max: share.requestsPerWindow,
      timeWindow: share.windowMs,
      keyGenerator: (request) => request.scimIdentity.tenant,
      errorResponseBuilder: (_request, context) =>
        new ScimError(
          429,
          `this organization sent more than ${context.max} requests in ${share.windowMs / 1000} s; retry in ${context.after}`,
        ),
    });
    app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isWrite(request)) return;
      const { tenant } = request.scimIdentity;
      if (!this.#slots.acquire(tenant))
        throw new TooManyRequests(
          `this organization already has ${this.#slots.heldBy(tenant)} writes in progress; retry when one is answered`,
          IN_FLIGHT_RETRY_AFTER_SECONDS,
        );
      // 'close' comes exactly once: after the answer, or when the client goes away first.
      reply.raw.once('close', () => this.#slots.release(tenant));
    });
  });

  /** `bus`, sending each command once its organization's change budget admits it. */
  paced(bus: CommandSender): CommandSender {
    return {
      send: async (command: Command) => {
        await this.#admit(command);
        return bus.send(command);
      },
    };
  }

  async #admit(command: Command): Promise<void> {
    if (!this.#slots.othersWriting(command.tenant)) return;
    const charge = this.#budgets.charge(command.tenant, writeWeight(command));
    if (!charge.admitted)
      throw new TooManyRequests(
        `while other organizations write, this organization's writes may change ${this.#share.sharedChangesPerSecond} resources or group members a second; retry in ${charge.retryAfterSeconds} s`,
        charge.retryAfterSeconds,
      );
    if (charge.waitMs > 0) await sleep(charge.waitMs);
  }
}
