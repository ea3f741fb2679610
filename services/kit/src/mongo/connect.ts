import { type Db, MongoClient } from 'mongodb';

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/** Connects with majority writes and retryable writes (the defaults for a replica set). */
export const connectMongo = async (url: string, database: string): Promise<MongoHandle> => {
  const client = new MongoClient(url, {
    writeConcern: { w: 'majority' },
    retryWrites: true,
    maxPoolSize: 20,
  });
  await client.connect();
  return { client, db: client.db(database), close: () => client.close() };
};
