import { isTransientStoreError } from '../mongo/errors.ts';

/**
 * A handler found the world in a state that must not exist (a command id recorded for another
 * tenant, …). Retrying cannot help: the consumer dead-letters the message and moves on.
 */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

/** The broker did not acknowledge a publish in time; it may still land (ids make it idempotent). */
export class PublishTimeout extends Error {
  constructor(topic: string, ms: number) {
    super(`the broker did not acknowledge a publish to ${topic} within ${ms} ms`);
    this.name = 'PublishTimeout';
  }
}

/** kafkajs marks each of its errors retriable or not; giving up after retries is still transient. */
const isTransientBrokerError = (err: unknown): boolean => {
  if (err instanceof PublishTimeout) return true;
  if (!(err instanceof Error) || !err.name.startsWith('KafkaJS')) return false;
  return err.name === 'KafkaJSNumberOfRetriesExceeded' || (err as { retriable?: unknown }).retriable === true;
};

/** True when the broker or the store could not be reached (in time): retry, never give up. */
export const isTransientFailure = (err: unknown): boolean =>
  isTransientBrokerError(err) || isTransientStoreError(err);

/** How a failure is described on the dead-letter topic and in logs: name, code, message. */
export const describeFailure = (err: unknown): string => {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${err.name}${code === undefined ? '' : ` (code ${String(code)})`}: ${err.message}`;
};
