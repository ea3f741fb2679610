import type { EnvelopeMeta } from '@roster/contracts';
import { currentTraceparent } from '../trace.ts';

/** The message a new message follows from: what the new one inherits of it. */
export type Cause = Pick<EnvelopeMeta, 'id' | 'tenant' | 'correlationid' | 'traceparent'>;

/**
 * The envelope attributes of a message `source` publishes about `subject` because of `cause`: the
 * same tenant and correlation id, the cause's id as causation id, and the span handling it now.
 */
export const causedBy = (cause: Cause, source: string, subject: string) => ({
  source,
  tenant: cause.tenant,
  subject,
  correlationid: cause.correlationid,
  causationid: cause.id,
  traceparent: currentTraceparent(cause.traceparent),
});
