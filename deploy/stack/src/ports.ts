import { createServer } from 'node:net';

/** A port that is free right now; used for `0` so restarts of a service keep the same address. */
export const freePort = (host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

export const resolvePort = async (
  value: string | undefined,
  fallback: number,
  host: string,
): Promise<number> => {
  const port = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${value}`);
  return port === 0 ? freePort(host) : port;
};
