import { MongoClient } from 'mongodb';
import type { RunningStack } from '../src/stack.ts';

/** Commands the store served and requests the broker served, by name, at one instant. */
interface Served {
  store: Record<string, number>;
  broker: Record<string, number>;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

const difference = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([name, count]) => [name, count - (before[name] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );

/** The largest few of `counts`, per operation, for the report. */
const busiest = (counts: Record<string, number>, operations: number) =>
  Object.fromEntries(
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 6)
      .map(([name, count]) => [name, Number((count / operations).toFixed(2))]),
  );

const BROKER_REQUESTS = /^kafka_network_requests_total\{request="(\w+)"\} (\d+)$/gm;

/**
 * Round trips of the whole stack as its servers count them: MongoDB's own `serverStatus`
 * `metrics.commands` (the embedded store's and a real mongod's alike) and the embedded broker's
 * request counts (the stack's READY `metrics.kafka`; with a real Kafka none, and only the store
 * is reported). Background traffic — heartbeats, fetches, sweeps — counts too: it is real load.
 */
export const roundTripCounter = async (stack: RunningStack) => {
  const client = new MongoClient(stack.mongoUrl);
  await client.connect();
  const served = async (): Promise<Served> => {
    const status = await client.db('admin').command({ serverStatus: 1 });
    const commands = (status.metrics?.commands ?? {}) as Record<string, { total?: unknown }>;
    const store = Object.fromEntries(
      Object.entries(commands).map(([name, count]) => [name, Number(count.total ?? 0)]),
    );
    const metrics = stack.metrics.kafka;
    const text = metrics ? await (await fetch(metrics)).text() : '';
    const broker = Object.fromEntries(
      [...text.matchAll(BROKER_REQUESTS)].map(([, api, n]) => [api!, Number(n)]),
    );
    return { store, broker };
  };
  return {
    served,
    /** What was served between `before` and now, per operation (a provisioned user, a request…). */
    async perOperation(before: Served, operations: number) {
      const now = await served();
      const store = difference(now.store, before.store);
      const broker = difference(now.broker, before.broker);
      return {
        storeCommands: Number((total(store) / operations).toFixed(2)),
        brokerRequests: Number((total(broker) / operations).toFixed(2)),
        busiestStoreCommands: busiest(store, operations),
        busiestBrokerRequests: busiest(broker, operations),
      };
    },
    close: () => client.close(),
  };
};
