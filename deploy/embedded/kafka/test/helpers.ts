import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@roster/test-support';
import { Kafka, logLevel } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The pinned Node 24 (runs .ts directly) from the repository root. */
export const NODE = path.resolve(PACKAGE_DIR, '../../../node_modules/.bin/node');

export function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `roster-kafka-${prefix}-`));
}

export function client(brokers: string, clientId = 'test'): Kafka {
  return new Kafka({
    clientId,
    brokers: [brokers],
    logLevel: process.env.KAFKAJS_LOG ? logLevel.DEBUG : logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 8 },
  });
}

/** Consumer settings that keep group tests fast. */
export const fastConsumer = {
  maxWaitTimeInMs: 50,
  sessionTimeout: 3000,
  heartbeatInterval: 100,
  rebalanceTimeout: 3000,
  retry: { initialRetryTime: 50, retries: 8 },
};

export interface ChildBroker {
  proc: ChildProcess;
  brokers: string;
  stderr: () => string;
}

/** Runs src/main.ts as a child process and waits for its READY line. */
export function spawnBroker(args: string[]): Promise<ChildBroker> {
  const proc = spawn(NODE, [path.join(PACKAGE_DIR, 'src/main.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^READY (.*)$/m.exec(out);
      if (m)
        resolve({ proc, brokers: (JSON.parse(m[1]!) as { brokers: string }).brokers, stderr: () => err });
    });
    proc.on('exit', (code) => reject(new Error(`broker exited early (${code}): ${err}`)));
  });
}

export function exited(proc: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Minimal raw protocol client: writes arbitrary bytes, collects size-prefixed
 * responses by correlation id, and reports when the broker closes the socket.
 */
export class RawClient {
  readonly socket: net.Socket;
  readonly responses = new Map<number, Buffer>();
  closed = false;
  private buf = Buffer.alloc(0);

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const size = this.buf.readInt32BE(0);
        const frame = this.buf.subarray(4, 4 + size);
        this.responses.set(frame.readInt32BE(0), frame.subarray(4));
        this.buf = this.buf.subarray(4 + size);
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static connect(brokers: string): Promise<RawClient> {
    const [host, port] = brokers.split(':');
    return new Promise((resolve, reject) => {
      const s = net.connect(Number(port), host!, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Frames a request: size, api_key, api_version, correlation_id, client_id, body. */
  static frame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer): Buffer {
    const clientId = Buffer.from('raw');
    const header = Buffer.alloc(10 + clientId.length);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(apiVersion, 2);
    header.writeInt32BE(correlationId, 4);
    header.writeInt16BE(clientId.length, 8);
    clientId.copy(header, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(header.length + body.length);
    return Buffer.concat([size, header, body]);
  }

  async request(apiKey: number, apiVersion: number, correlationId: number, body: Buffer): Promise<Buffer> {
    this.write(RawClient.frame(apiKey, apiVersion, correlationId, body));
    return waitFor(() => this.responses.get(correlationId), { what: `response ${correlationId}` });
  }

  waitClosed(): Promise<boolean> {
    return waitFor(() => this.closed, { what: 'socket closed by broker' });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Broker log lines go to stderr when BROKER_LOG is set (debugging aid). */
export const brokerLog = (line: string): void => {
  if (process.env.BROKER_LOG) console.error(`[broker] ${line}`);
};
