import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningBroker } from './index.ts';

/**
 * The broker's request counts as Prometheus text, named after Apache Kafka's own
 * `kafka.network:type=RequestMetrics,name=RequestsPerSec,request=<API>` (which production
 * exposes through JMX): what benchmarks count round trips with.
 */
export const renderRequestMetrics = (requests: Record<string, number>): string =>
  [
    '# HELP kafka_network_requests_total Requests received since start, by API.',
    '# TYPE kafka_network_requests_total counter',
    ...Object.entries(requests).map(
      ([api, total]) => `kafka_network_requests_total{request="${api}"} ${total}`,
    ),
    '',
  ].join('\n');

export interface MetricsEndpoint {
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` on `host:port` (0 = any free port). */
export const serveRequestMetrics = async (
  broker: RunningBroker,
  host: string,
  port: number,
): Promise<MetricsEndpoint> => {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
      .end(renderRequestMetrics(broker.requestsServed()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
