import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import {
  MongoBulkWriteError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoOperationTimeoutError,
  MongoServerError,
} from 'mongodb';
import { describe, expect, test } from 'vitest';
import { InvariantViolation, isTransientFailure, PublishTimeout } from '../src/kafka/failure.ts';
import { isDocumentTooLarge } from '../src/mongo/errors.ts';

/** The driver's (unexported) error of an operation its server monitor interrupted, named as it names it. */
class PoolClearedOnNetworkError extends MongoNetworkError {
  override get name(): string {
    return 'PoolClearedOnNetworkError';
  }
}

const serverError = (code: number, labels: string[] = []) =>
  new MongoServerError({ ok: 0, code, errmsg: `error ${code}`, errorLabels: labels });

describe('transient failures are retried, everything else will not go away', () => {
  test.each([
    ['the store not answering in time', new MongoOperationTimeoutError('timed out')],
    ['a network timeout', new MongoNetworkTimeoutError('socket timed out')],
    ['a primary stepping down', serverError(189)],
    ['an error the driver labels retryable', serverError(12345, ['RetryableWriteError'])],
    // Both seen in the chaos run, after the store was killed: they were dead-lettered and lost.
    [
      'a bulk write cut off by a closed connection',
      new MongoBulkWriteError(new MongoNetworkError('connection 23 to 127.0.0.1:32871 closed'), {} as never),
    ],
    ['a transaction the restarted store no longer knows', serverError(251)],
    // Seen with the store frozen: the monitor timed out first and interrupted the operation.
    [
      'an operation interrupted by the server monitor',
      new PoolClearedOnNetworkError(
        'connection to 127.0.0.1:27017 interrupted due to server monitor timeout',
      ),
    ],
    ['the broker unreachable', new KafkaJSConnectionError('connection refused')],
    [
      'kafkajs giving up after retries',
      new KafkaJSNumberOfRetriesExceeded(new Error('x'), { retryCount: 5, retryTime: 1 }),
    ],
    ['a publish not acknowledged in time', new PublishTimeout('roster.scim-commands.v1', 10)],
  ])('%s is transient', (_, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  test.each([
    ['a document the store refuses for its size', serverError(10334)],
    ['a document failing validation', serverError(121)],
    ['a duplicate key nobody expected', serverError(11000)],
    [
      'the BSON serializer overflowing',
      Object.assign(new RangeError('offset out of range'), { code: 'ERR_OUT_OF_RANGE' }),
    ],
    [
      'a message the broker refuses for its size',
      new KafkaJSProtocolError(
        Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE', retriable: false }),
      ),
    ],
    ['a broken invariant', new InvariantViolation('command id recorded for another organization')],
    ['a bug', new TypeError("Cannot read properties of null (reading 'userName')")],
  ])('%s is permanent', (_, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});

describe('a document too large to store', () => {
  test('is recognised whether the server or the driver refused it', () => {
    expect(isDocumentTooLarge(serverError(10334))).toBe(true);
    expect(isDocumentTooLarge(Object.assign(new RangeError('offset'), { code: 'ERR_OUT_OF_RANGE' }))).toBe(
      true,
    );
    expect(isDocumentTooLarge(serverError(121))).toBe(false);
    expect(isDocumentTooLarge(new TypeError('x'))).toBe(false);
  });
});
