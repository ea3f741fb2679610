// Loaded before the ingress (`node --import ./src/telemetry.ts src/main.ts`): starts the
// OpenTelemetry SDK so that the HTTP server and the MongoDB driver are instrumented when they load.
// The HTTP server span learns its route from the app (http/server-span.ts).
import { startTelemetry } from '@roster/service-kit/telemetry';

startTelemetry({ service: 'ingress' });
