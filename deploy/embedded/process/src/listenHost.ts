import { isIP } from 'node:net';

/**
 * The address a development server listens on: its `--host` flag, else its own environment
 * variable (`KAFKA_HOST`, `MONGO_HOST` — never `HOST`, which belongs to the ingress), else
 * loopback. These servers have no authentication at all, so anything else is said out loud.
 */
export function listenHost(
  flag: string | undefined,
  envVariable: string,
  log: (line: string) => void,
): string {
  const host = flag || process.env[envVariable] || '127.0.0.1';
  if (!isLoopback(host)) {
    log(
      `WARNING: listening on ${host}, beyond this machine. This development server has no authentication ` +
        'and no TLS: anyone who can reach it can read and change every piece of data. Bind 127.0.0.1 unless you mean it.',
    );
  }
  return host;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
