import type { EnvelopeMeta } from '@roster/contracts';
import { childTraceparent } from '../trace.ts';

/** The message a new message follows from: what the new one inherits of it. */
export type Cause = Pick<EnvelopeMeta, 'id' | 'tenant' | 'correlationid' | 'traceparent'>;

/**
 * The envelope attributes of a message `source` publishes about `subject` because of `cause`: the
 * same tenant and correlation id, the cause's id as causation id, and a child span of its trace.
 */
export const causedBy = (cause: Cause, source: string, subject: string) => ({
  source,
  tenant: cause.tenant,
  subject,
  correlationid: cause.correlationid,
  causationid: cause.id,
  traceparent: childTraceparent(cause.traceparent),
});
