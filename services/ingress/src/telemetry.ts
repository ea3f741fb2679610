// Loaded before the ingress (`node --import ./src/telemetry.ts src/main.ts`): starts the
// OpenTelemetry SDK so that fastify and the HTTP server are instrumented when they load.
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { startTelemetry } from '@roster/service-kit/telemetry';

startTelemetry({
  service: 'ingress',
  instrumentations: [
    // Registered on every fastify instance as it is created: one `request` span per call (under
    // the HTTP server span; SCIM calls annotate it with tenant, command type and resource), which
    // also hands the route to that span and to `http.server.request.duration` (`http.route`).
    // No span per hook or handler: a dozen spans per call would cost throughput and say nothing
    // the request span and its children (store, broker) do not.
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      instrumentHooks: false,
      instrumentHandler: false,
      // fastify's `request.url` has the query string, and SCIM filters carry emails and names.
      requestHook: (span, request) => span.setAttribute('url.path', request.url.split('?')[0] ?? '/'),
    }),
  ],
});
