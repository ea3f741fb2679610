// Loaded before the membership service (`node --import ./src/telemetry.ts src/main.ts`), so its http and
// mongodb modules are instrumented when they load.
import { startTelemetry } from '@roster/service-kit/telemetry';

startTelemetry({ service: 'membership' });
