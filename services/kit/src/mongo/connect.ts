import { type Db, MongoClient } from 'mongodb';

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/**
 * How long the store may keep one socket read, a connection checkout or server selection waiting.
 * A store that is unreachable or frozen fails an operation with a transient error (after this,
 * or twice this when the driver retries a read or write once) instead of hanging on an open
 * socket: consumers retry it with backoff, the ingress answers 503. (Driver 7 dropped the
 * client-side operation timeout `timeoutMS`, so these are the bounds there are.)
 */
// Generous for consumers: a store pausing under load (the embedded one writing a snapshot) is
// slow, not gone, and a timed-out write is retried, which only adds load; the ingress passes less.
export const STORE_OPERATION_TIMEOUT_MS = 30_000;

export interface MongoOptions {
  operationTimeoutMs?: number;
}

/** Connects with majority writes, retryable writes and bounded operations. */
export const connectMongo = async (
  url: string,
  database: string,
  { operationTimeoutMs = STORE_OPERATION_TIMEOUT_MS }: MongoOptions = {},
): Promise<MongoHandle> => {
  const client = new MongoClient(url, {
    writeConcern: { w: 'majority' },
    retryWrites: true,
    maxPoolSize: 20,
    socketTimeoutMS: operationTimeoutMs,
    // The monitor's checks use the connect timeout: a frozen store is noticed as fast.
    connectTimeoutMS: operationTimeoutMs,
    serverSelectionTimeoutMS: operationTimeoutMs,
    waitQueueTimeoutMS: operationTimeoutMs,
  });
  await client.connect();
  return { client, db: client.db(database), close: () => client.close() };
};
