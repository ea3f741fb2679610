import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/JSON export carries it, with its service and attributes flattened. */
export interface ReceivedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** The collector endpoint to put in OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Spans received in all (also when they are not kept). */
  spanCount(): number;
  /** Metric names exported over OTLP, by service. */
  metricNames: Map<string, Set<string>>;
  close(): Promise<void>;
}

type KeyValue = { key: string; value: Record<string, unknown> };
type Resource = { resource?: { attributes?: KeyValue[] } };

const flatten = (attributes: KeyValue[] = []): Record<string, unknown> =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));

const serviceOf = (entry: Resource): string => String(flatten(entry.resource?.attributes)['service.name']);

/** Each span of an OTLP/JSON export has one `"spanId"` (its parent's is `"parentSpanId"`). */
const SPAN_ID_KEY = Buffer.from('"spanId":');

const occurrences = (haystack: Buffer, needle: Buffer): number => {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
    count++;
  return count;
};

/**
 * A minimal OpenTelemetry collector for tests and benchmarks: accepts OTLP/HTTP JSON exports
 * (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) of traces and metrics and keeps what arrived (a
 * benchmark only counts the spans).
 */
export const startOtlpReceiver = async ({ keepSpans = true } = {}): Promise<OtlpReceiver> => {
  const spans: ReceivedSpan[] = [];
  let received = 0;
  const metricNames = new Map<string, Set<string>>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      // A benchmark's collector stands for one on other machines: it counts spans without parsing
      // (a JSON.parse of every export would load the machine the services are measured on).
      if (request.url === '/v1/traces' && !keepSpans) {
        received += occurrences(raw, SPAN_ID_KEY);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const body = JSON.parse(raw.toString('utf8') || '{}');
      if (request.url === '/v1/traces')
        for (const entry of body.resourceSpans ?? [])
          for (const scope of entry.scopeSpans ?? [])
            for (const span of scope.spans ?? []) {
              received++;
              spans.push({
                service: serviceOf(entry),
                name: span.name,
                kind: span.kind,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                attributes: flatten(span.attributes),
              });
            }
      if (request.url === '/v1/metrics')
        for (const entry of body.resourceMetrics ?? []) {
          const names = metricNames.get(serviceOf(entry)) ?? new Set<string>();
          for (const scope of entry.scopeMetrics ?? [])
            for (const metric of scope.metrics ?? []) names.add(metric.name);
          metricNames.set(serviceOf(entry), names);
        }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    spanCount: () => received,
    metricNames,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
