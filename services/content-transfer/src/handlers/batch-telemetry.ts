import { metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ContentTransferDocument } from '@roster/contracts';

const tracer = trace.getTracer('@roster/content-transfer');
const itemsMoved = metrics.getMeter('roster').createCounter('roster.content.items_moved', {
  description: 'Content items moved from departing users to an Organization Admin',
  unit: '{item}',
});

/**
 * One batch of a transfer as a child span of the message's `process` span (a deprovision's trace
 * shows its transfer batch by batch), and the items it moved counted (no tenant label).
 */
export const movingBatch = (t: ContentTransferDocument, move: () => Promise<number>): Promise<number> =>
  tracer.startActiveSpan(
    'content.transfer.batch',
    { attributes: { 'roster.tenant': t.tenant, 'roster.user.id': t.userId } },
    async (span) => {
      try {
        const moved = await move();
        span.setAttribute('roster.content.items', moved);
        itemsMoved.add(moved);
        return moved;
      } catch (err) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: err instanceof Error ? err.message : String(err),
        });
        throw err;
      } finally {
        span.end();
      }
    },
  );
