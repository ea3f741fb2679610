import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Telemetry } from '../telemetry/start.ts';
import { withinTimeout } from '../timeout.ts';
import type { ReadinessCheck } from './readiness.ts';

/** A readiness check that has not answered by then counts as failed (a frozen server never answers). */
const CHECK_TIMEOUT_MS = 2_000;

export interface OpsListenerOptions {
  host: string;
  port: number;
  /** False once the process is failing (it is about to exit): `/healthz` answers 503. */
  alive(): boolean;
  readiness(): readonly ReadinessCheck[];
  telemetry: Telemetry | undefined;
}

export interface OpsListener {
  url: string;
  close(): Promise<void>;
}

/** Why `check` fails, or undefined when it holds. */
const failureOf = async (check: ReadinessCheck): Promise<string | undefined> => {
  try {
    await withinTimeout(
      check.check(),
      CHECK_TIMEOUT_MS,
      () => new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`),
    );
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

const json = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/**
 * The operations endpoints of a service process, apart from its own traffic (and its auth):
 * `/healthz` (the process is alive), `/readyz` (broker and store reachable, consumers in their
 * groups), `/metrics` (Prometheus text of the process's OTel metrics).
 */
export const startOpsListener = async (options: OpsListenerOptions): Promise<OpsListener> => {
  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') return json(response, 405, { error: 'only GET' });
    if (path === '/healthz')
      return options.alive()
        ? json(response, 200, { status: 'alive' })
        : json(response, 503, { status: 'failing' });
    if (path === '/readyz') {
      const checks = options.readiness();
      const failures = await Promise.all(checks.map(failureOf));
      const results = Object.fromEntries(checks.map((check, i) => [check.name, failures[i] ?? 'ok']));
      const ready = failures.every((failure) => failure === undefined);
      return json(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results });
    }
    if (path === '/metrics') {
      if (!options.telemetry)
        return json(response, 404, { error: 'telemetry is disabled (OTEL_SDK_DISABLED)' });
      return options.telemetry.prometheus.getMetricsRequestHandler(request, response);
    }
    return json(response, 404, { error: 'not found' });
  };
  const server = createServer((request, response) => void route(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
