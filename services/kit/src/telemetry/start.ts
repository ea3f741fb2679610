import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { queryShape } from './query-shape.ts';

export interface TelemetryOptions {
  /** The service's short name (`ingress`, `status`…); `roster-<service>` unless OTEL_SERVICE_NAME says otherwise. */
  service: string;
}

export interface Telemetry {
  /** The process's Prometheus exposition, served by its ops listener at /metrics. */
  prometheus: PrometheusExporter;
  shutdown(): Promise<void>;
}

const env = process.env;
const set = (name: string): boolean => (env[name] ?? '').trim() !== '';

/**
 * Traces are exported only where the operator asked for it (an OTLP endpoint or an explicit
 * OTEL_TRACES_EXPORTER): the SDK's own default would export to localhost:4318 and fail quietly.
 */
const tracesExported = (): boolean =>
  set('OTEL_TRACES_EXPORTER') ||
  set('OTEL_EXPORTER_OTLP_ENDPOINT') ||
  set('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');

const metricsExportedOverOtlp = (): boolean =>
  (env.OTEL_METRICS_EXPORTER ?? 'otlp').split(',').some((name) => name.trim() === 'otlp') &&
  (set('OTEL_EXPORTER_OTLP_ENDPOINT') || set('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'));

/** The OTLP metric exporter of OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL (http/protobuf by default). */
const otlpMetricExporter = () => {
  const protocol = (env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || '').trim();
  if (protocol === 'http/json') return new JsonMetricExporter();
  if (protocol === 'grpc') return new GrpcMetricExporter();
  return new ProtobufMetricExporter();
};

const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** OTEL_METRIC_EXPORT_INTERVAL / _TIMEOUT (ms; 60 s and 30 s by default, the timeout never past the interval). */
const exportTiming = () => {
  const exportIntervalMillis = Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000;
  const exportTimeoutMillis = Math.min(
    Number(env.OTEL_METRIC_EXPORT_TIMEOUT) || 30_000,
    exportIntervalMillis,
  );
  return { exportIntervalMillis, exportTimeoutMillis };
};

let started: Telemetry | undefined;

/** The process's telemetry, once `startTelemetry` ran (undefined with OTEL_SDK_DISABLED=true). */
export const currentTelemetry = (): Telemetry | undefined => started;

/**
 * Starts the OpenTelemetry SDK for one service process, configured by the standard OTEL_*
 * variables only. Loaded with `node --import` before the application, so the http and mongodb
 * instrumentations patch their modules before anything requires them. Metrics are always kept
 * for the Prometheus scrape; OTLP export of traces and metrics happens only when configured.
 */
export const startTelemetry = ({ service }: TelemetryOptions): Telemetry | undefined => {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const metricReaders: MetricReader[] = [prometheus];
  if (metricsExportedOverOtlp())
    metricReaders.push(
      new PeriodicExportingMetricReader({ exporter: otlpMetricExporter(), ...exportTiming() }),
    );
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || `roster-${service}`,
    metricReaders,
    // No span processor: no tracer provider at all, so spans cost nothing when nobody collects them.
    ...(tracesExported() ? {} : { spanProcessors: [] }),
    // Logs are pino JSON on stdout (with trace ids); the SDK's default OTLP log exporter stays off.
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes of the ops listener are not traffic worth a trace.
        ignoreIncomingRequestHook: (request) => OPS_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
        // SCIM filters carry emails and names: no query parameter value reaches a span.
        redactedQueryParamsServer: ['filter', 'attributes', 'excludedAttributes', 'startIndex', 'count'],
      }),
      // Its spans are all it gives: without a trace exporter it would only cost every store call.
      ...(tracesExported() ? [new MongoDBInstrumentation({ dbStatementSerializer: queryShape })] : []),
    ],
  });
  sdk.start();
  started = { prometheus, shutdown: () => sdk.shutdown() };
  return started;
};
