import { randomFillSync } from 'node:crypto';
import { trace } from '@opentelemetry/api';

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/). The ingress starts or continues the
 * trace of each SCIM call; every message derived from it carries a child of that context, so one
 * trace id spans every service.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

export const parseTraceparent = (header: string | undefined): TraceContext | undefined => {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]!) || /^0+$/.test(match[3]!)) return undefined;
  return { traceId: match[2]!, spanId: match[3]!, flags: match[4]! };
};

export const formatTraceparent = ({ traceId, spanId, flags }: TraceContext): string =>
  `00-${traceId}-${spanId}-${flags}`;

/** Random bytes for ids from a pooled buffer: one fill per 4 KiB rather than one per id. */
const randomPool = Buffer.allocUnsafe(4096);
let randomOffset = randomPool.length;
const randomHex = (bytes: number): string => {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString('hex', randomOffset - bytes, randomOffset);
};

const newSpanId = (): string => randomHex(8);

/** A child span of `parent` (same trace), or the root of a new sampled trace. */
export const childTraceparent = (parent: string | undefined): string => {
  const context = parseTraceparent(parent);
  return formatTraceparent(
    context
      ? { ...context, spanId: newSpanId() }
      : { traceId: randomHex(16), spanId: newSpanId(), flags: '01' },
  );
};

export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  parseTraceparent(traceparent)?.traceId;

/**
 * The traceparent of a message sent now, following `parent`: the active span's context when a
 * span is being recorded (a handler's `process` span, the ingress's request span), so the
 * envelope names a span the trace really has; otherwise a child id of `parent`'s trace, as
 * without telemetry.
 */
export const currentTraceparent = (parent: string | undefined): string => {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) {
    const { traceId, spanId, traceFlags } = span.spanContext();
    return formatTraceparent({ traceId, spanId, flags: traceFlags.toString(16).padStart(2, '0') });
  }
  return childTraceparent(parent);
};
