import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The lowest port the kernel hands out for `listen(0)` and outgoing connections. A port picked in
 * advance must lie below it: an ephemeral one is free now but can be taken by any socket of any
 * process (a service's ops listener, a consumer's connection) before our service binds it.
 */
const firstEphemeralPort = (): number => {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768; // Linux's default; elsewhere (macOS: 49152) this range is also non-ephemeral
  }
};

const FIRST_PICKED_PORT = 10_000;

const bindable = (port: number, host: string): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });

/**
 * A port that is free right now and that the kernel will not give to anyone else: used for `0`
 * so that restarts of a service keep the same address.
 */
const freePort = async (host: string): Promise<number> => {
  const span = firstEphemeralPort() - FIRST_PICKED_PORT;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST_PICKED_PORT + Math.floor(Math.random() * span);
    if (await bindable(port, host)) return port;
  }
  throw new Error(`no free port between ${FIRST_PICKED_PORT} and ${FIRST_PICKED_PORT + span}`);
};

export const resolvePort = async (
  value: string | undefined,
  fallback: number,
  host: string,
): Promise<number> => {
  const port = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${value}`);
  return port === 0 ? freePort(host) : port;
};
