/**
 * TCP front end: size-prefixed frames, request header v1 (api_key api_version
 * correlation_id client_id), dispatch to the API handlers, size-prefixed responses
 * (correlation_id + body). Requests on one connection are handled concurrently and
 * answered as they complete (clients match responses by correlation id).
 *
 * Bad input never takes the broker down: an oversized or undersized frame, an unknown
 * API key, an unsupported version (except ApiVersions, which answers UNSUPPORTED_VERSION
 * as Kafka does) or a body that does not decode closes that one connection with a log line.
 */
import net from 'node:net';
import type { ApiHandler, BrokerContext, ConnectionInfo, ResponseBody } from './context.ts';
import { ApiKey } from './protocol/apiKeys.ts';
import { Decoder, ProtocolError } from './protocol/decoder.ts';
import { ErrorCode } from './protocol/errors.ts';
import { encodeApiVersions } from './protocol/requests/apiVersions.ts';

/** api_key + api_version + correlation_id + client_id length */
const MIN_REQUEST_HEADER = 10;
const MAX_UNREAD_RESPONSE_BYTES = 64 * 1024 * 1024;

class Connection implements ConnectionInfo {
  readonly clientHost: string;
  closed = false;
  private readonly socket: net.Socket;
  private readonly server: Server;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private closeHandlers = new Set<() => void>();
  private readonly name: string;

  constructor(socket: net.Socket, server: Server) {
    this.socket = socket;
    this.server = server;
    this.clientHost = socket.remoteAddress ?? 'unknown';
    this.name = `${this.clientHost}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
  }

  onClose(fn: () => void): () => void {
    this.closeHandlers.add(fn);
    return () => this.closeHandlers.delete(fn);
  }

  destroy(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.server.broker.log(`connection ${this.name}: ${reason}; closing it`);
    this.socket.destroy();
    this.chunks = [];
    this.buffered = 0;
    for (const fn of this.closeHandlers) fn();
    this.closeHandlers.clear();
    this.server.connections.delete(this);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.closed && this.buffered >= 4) {
      if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const size = this.chunks[0]!.readInt32BE(0);
      if (size < MIN_REQUEST_HEADER || size > this.server.maxFrameBytes) {
        this.destroy(`invalid frame size ${size} (limit ${this.server.maxFrameBytes})`);
        return;
      }
      if (this.buffered < 4 + size) return;
      const frame = this.take(4 + size).subarray(4);
      this.handleFrame(frame);
    }
    // a client that sends requests but does not read its responses stops being read from
    if (!this.closed && this.socket.writableLength > MAX_UNREAD_RESPONSE_BYTES && !this.socket.isPaused()) {
      this.socket.pause();
      this.socket.once('drain', () => {
        if (!this.closed) this.socket.resume();
      });
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const c = this.chunks[0]!;
      const want = n - got;
      if (c.length <= want) {
        c.copy(out, got);
        got += c.length;
        this.chunks.shift();
      } else {
        c.copy(out, got, 0, want);
        this.chunks[0] = c.subarray(want);
        got += want;
      }
    }
    return out;
  }

  private handleFrame(frame: Buffer): void {
    let apiName = 'request';
    try {
      const d = new Decoder(frame);
      const apiKey = d.readInt16();
      const apiVersion = d.readInt16();
      const correlationId = d.readInt32();
      const clientId = d.readNullableString();
      const handler: ApiHandler | undefined = this.server.handlers.get(apiKey);
      if (!handler) {
        this.destroy(`unknown API key ${apiKey}`);
        return;
      }
      apiName = handler.name;
      this.server.requestsServed.set(apiName, (this.server.requestsServed.get(apiName) ?? 0) + 1);
      if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
        if (apiKey === ApiKey.ApiVersions) {
          // clients probe with their newest version; answer in v0 so they can retry lower
          this.server.broker.log(
            `connection ${this.name}: ApiVersions v${apiVersion} unsupported, answering v0`,
          );
          this.send(correlationId, encodeApiVersions(ErrorCode.UNSUPPORTED_VERSION, 0));
          return;
        }
        this.destroy(`unsupported ${handler.name} version ${apiVersion}`);
        return;
      }
      const result = handler.handle(
        { broker: this.server.broker, apiVersion, clientId, connection: this },
        d,
      );
      if (result instanceof Promise) {
        result.then(
          (body) => this.send(correlationId, body),
          (err: unknown) => this.fail(apiName, err),
        );
      } else {
        this.send(correlationId, result);
      }
    } catch (err) {
      this.fail(apiName, err);
    }
  }

  private fail(apiName: string, err: unknown): void {
    if (err instanceof ProtocolError) {
      this.destroy(`malformed ${apiName}: ${err.message}`);
    } else {
      const e = err as Error;
      this.destroy(`error handling ${apiName}: ${e?.stack ?? String(err)}`);
    }
  }

  private send(correlationId: number, body: ResponseBody): void {
    if (body === null || this.closed) return;
    const header = Buffer.allocUnsafe(8);
    header.writeInt32BE(4 + body.size, 0);
    header.writeInt32BE(correlationId, 4);
    const chunks = body.toChunks();
    if (chunks.length === 1 && chunks[0]!.length < 4096) {
      this.socket.write(Buffer.concat([header, chunks[0]!]));
      return;
    }
    this.socket.cork();
    this.socket.write(header);
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }
}

export class Server {
  readonly broker: BrokerContext;
  readonly handlers: ReadonlyMap<number, ApiHandler>;
  readonly maxFrameBytes: number;
  readonly connections = new Set<Connection>();
  /** Requests received since start, by API name (`Produce`, `Fetch`…): every client round trip. */
  readonly requestsServed = new Map<string, number>();
  private readonly tcp: net.Server;

  constructor(broker: BrokerContext, handlers: ReadonlyMap<number, ApiHandler>, maxFrameBytes: number) {
    this.broker = broker;
    this.handlers = handlers;
    this.maxFrameBytes = maxFrameBytes;
    this.tcp = net.createServer((socket) => {
      this.connections.add(new Connection(socket, this));
    });
    this.tcp.on('error', (err) => broker.log(`server error: ${err.message}`));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.tcp.once('error', onError);
      this.tcp.listen(port, host, () => {
        this.tcp.off('error', onError);
        const addr = this.tcp.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.tcp.close(() => resolve());
      for (const c of [...this.connections]) c.destroy();
    });
  }
}
