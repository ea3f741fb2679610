import { request } from 'node:http';

/** A request exactly as sent on the wire: any bytes, any headers, chunked or not. */
export interface RawRequest {
  method: string;
  /** Path and query below the base URL, already encoded (or deliberately not). */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body with `Transfer-Encoding: chunked` (in two chunks) instead of a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: any;
  elapsedMs: number;
}

/**
 * Sends `raw` with node:http rather than fetch: fetch normalizes headers and bodies, and the
 * point of a hostile request is that nothing between the generator and the server fixes it.
 */
export const sendRaw = (baseUrl: string, raw: RawRequest, timeoutMs: number): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const url = new URL(baseUrl);
    const headers = { ...raw.headers };
    if (raw.body && !raw.chunked) headers['content-length'] = String(raw.body.length);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: `${url.pathname}${raw.path}`,
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {}
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json,
            elapsedMs: Date.now() - started,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (raw.body && raw.chunked) {
      const middle = Math.floor(raw.body.length / 2);
      req.write(raw.body.subarray(0, middle));
      req.write(raw.body.subarray(middle));
    } else if (raw.body) {
      req.write(raw.body);
    }
    req.end();
  });
