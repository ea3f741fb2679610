import { randomUUID } from 'node:crypto';
import { type RunningStore, startStore } from '@roster/embedded-mongo';
import { type Db, MongoClient } from 'mongodb';

export interface TestStore {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/** The embedded store on an ephemeral port, with a database of its own, for store-level suites. */
export const startTestStore = async (): Promise<TestStore> => {
  const store: RunningStore = await startStore({ port: 0 });
  const client = new MongoClient(store.url);
  await client.connect();
  return {
    client,
    db: client.db(`ingress_${randomUUID().slice(0, 8)}`),
    async close() {
      await client.close();
      await store.close();
    },
  };
};
