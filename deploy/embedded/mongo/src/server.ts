import { createServer, type Server, type Socket } from 'node:net';
import type { StoreState } from './commands/context.ts';
import { CursorManager } from './cursors.ts';
import { dispatch } from './dispatch.ts';
import { CommandError, errorReply } from './errors.ts';
import { Journal } from './journal/journal.ts';
import { SessionManager } from './sessions/sessions.ts';
import { Engine } from './storage/engine.ts';
import { MAX_MESSAGE_SIZE_BYTES } from './storage/limits.ts';
import { CommittedView } from './storage/view.ts';
import {
  encodeOpMsg,
  encodeOpReply,
  FLAG_MORE_TO_COME,
  HEADER_SIZE,
  MessageError,
  OP_MSG,
  OP_QUERY,
  parseOpMsg,
  parseOpQuery,
  readHeader,
} from './wire/protocol.ts';

export interface StoreOptions {
  /** TCP port; 0 (default) picks a free one */
  port?: number;
  /** listen address, default 127.0.0.1 */
  host?: string;
  /** journal + snapshot directory; in-memory when omitted */
  dataDir?: string;
  /** replica set name reported in hello, default rs0 */
  replSet?: string;
  /** receives log lines (default: discarded) */
  logger?: (line: string) => void;
  /** how often TTL indexes are enforced (default 60 000 ms, like mongod's TTL monitor) */
  ttlMonitorIntervalMs?: number;
  /**
   * how often the journal is checked for a snapshot (default 30 000 ms; mongod's `syncdelay`, its
   * checkpoint interval, is 60 s): one is written once the journal outgrows the last snapshot
   */
  snapshotIntervalMs?: number;
}

export interface RunningStore {
  /** connection string, e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Journal size (bytes since the last snapshot) that triggers an immediate compaction. */
const COMPACT_AT_BYTES = 64 * 1024 * 1024;
/** Periodic compaction when at least this much journal (and more than the snapshot) has accumulated. */
const PERIODIC_COMPACT_MIN_BYTES = 1024 * 1024;
/** Work per event-loop turn while a snapshot is written: commands are served between slices. */
const SNAPSHOT_SLICE_MS = 4;

export async function startStore(options: StoreOptions = {}): Promise<RunningStore> {
  const log = options.logger ?? ((): void => {});
  const host = options.host ?? '127.0.0.1';
  const setName = options.replSet ?? 'rs0';
  const journal = options.dataDir ? new Journal(options.dataDir, log) : undefined;
  const engine = new Engine(journal);
  const started = Date.now();
  const recovered = engine.recover();
  if (recovered) {
    log(
      `recovered ${options.dataDir}: ${recovered.snapshotRecords} snapshot records, ${recovered.journalRecords} journal records in ${Date.now() - started} ms`,
    );
  }

  const sockets = new Set<Socket>();
  let connectionIds = 0;
  let requestIds = 0;
  let me = '';
  const state: StoreState = {
    engine,
    commandCounts: new Map(),
    cursors: new CursorManager(),
    sessions: new SessionManager(engine, log),
    committed: new CommittedView(engine),
    info: {
      setName,
      get me() {
        return me;
      },
      startedAt: new Date(),
      log,
      dataDir: options.dataDir,
      connections: () => sockets.size,
    },
  };

  // ---- replies wait for the journal: group commit once per event-loop turn
  let queue: [Socket, Buffer][] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    try {
      journal?.flush();
    } catch (err) {
      // Without a journal write the writes are not durable: do not acknowledge them. The journal
      // stays failed; every later write's connection is closed the same way (reads still work).
      log(`journal write failed, closing affected connections: ${String(err)}`);
      for (const [sock] of queue) sock.destroy();
      queue = [];
      return;
    }
    const q = queue;
    queue = [];
    for (const [sock, buf] of q) if (!sock.destroyed) sock.write(buf);
    // A snapshot costs as much as the whole data set: compact only once the journal has grown past
    // both the hard cap and the last snapshot, so compaction work stays proportional to writes.
    if (journal && journal.size > Math.max(COMPACT_AT_BYTES, journal.snapshotBytes)) compact();
  };
  const scheduleFlush = (): void => {
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  const send = (sock: Socket, buf: Buffer): void => {
    if (queue.length === 0 && !journal?.hasPending) {
      sock.write(buf);
      return;
    }
    queue.push([sock, buf]);
    scheduleFlush();
  };
  const logSnapshot = (t0: number, how: string): void =>
    log(`snapshot of ${journal?.snapshotBytes} bytes written in ${Date.now() - t0} ms (${how})`);
  /** Starts a snapshot written in the background, unless one is being written. */
  const compact = (): void => {
    if (!journal || journal.snapshotting) return;
    const t0 = Date.now();
    try {
      journal.startSnapshot(engine.captureState());
    } catch (err) {
      log(`snapshot failed: ${String(err)}`);
      return;
    }
    journal.writeSnapshot(SNAPSHOT_SLICE_MS).then(
      (slices) => {
        if (slices !== undefined)
          logSnapshot(t0, `${slices} slices; ${journal.size} bytes journaled meanwhile`);
      },
      (err: unknown) => log(`snapshot failed: ${String(err)}`),
    );
  };

  const handleMessage = (sock: Socket, connId: number, msg: Buffer): void => {
    const h = readHeader(msg);
    if (h.opCode === OP_MSG) {
      let reply: Record<string, unknown>;
      let flags = 0;
      try {
        const parsed = parseOpMsg(msg);
        flags = parsed.flags;
        reply = dispatch(state, parsed.command, connId);
      } catch (err) {
        if (!(err instanceof MessageError)) throw err;
        log(`connection ${connId}: bad OP_MSG: ${err.message}`);
        reply = errorReply(new CommandError(err.bson ? 'InvalidBSON' : 'FailedToParse', err.message));
      }
      if (flags & FLAG_MORE_TO_COME) {
        // unacknowledged (w:0) write: nothing to send, but its journal records still get written
        if (journal?.hasPending) scheduleFlush();
        return;
      }
      send(sock, encodeOpMsg(++requestIds, h.requestId, reply));
      return;
    }
    if (h.opCode === OP_QUERY) {
      let reply: Record<string, unknown>;
      try {
        const q = parseOpQuery(msg);
        if (!q.collection.endsWith('.$cmd')) {
          reply = { $err: 'OP_QUERY is only supported for commands', code: 5739101, ok: 0 };
        } else {
          let cmd = q.query;
          if (cmd.$query && typeof cmd.$query === 'object') cmd = cmd.$query as Record<string, unknown>;
          reply = dispatch(state, cmd, connId, q.collection.slice(0, -'.$cmd'.length));
        }
      } catch (err) {
        if (!(err instanceof MessageError)) throw err;
        log(`connection ${connId}: bad OP_QUERY: ${err.message}`);
        reply = errorReply(new CommandError(err.bson ? 'InvalidBSON' : 'FailedToParse', err.message));
      }
      send(sock, encodeOpReply(++requestIds, h.requestId, reply));
      return;
    }
    log(`connection ${connId}: unsupported opCode ${h.opCode}; closing`);
    sock.destroy();
  };

  const onConnection = (sock: Socket): void => {
    const connId = ++connectionIds;
    sockets.add(sock);
    sock.setNoDelay(true);
    let chunks: Buffer[] = [];
    let total = 0;
    sock.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      try {
        while (total >= 4 && !sock.destroyed) {
          if (chunks[0]!.length < 4) chunks = [Buffer.concat(chunks, total)];
          const len = chunks[0]!.readInt32LE(0);
          if (len < HEADER_SIZE || len > MAX_MESSAGE_SIZE_BYTES) {
            log(`connection ${connId}: invalid message length ${len}; closing`);
            sock.destroy();
            return;
          }
          if (total < len) return;
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
          const msg = all.subarray(0, len);
          const rest = all.subarray(len);
          chunks = rest.length > 0 ? [rest] : [];
          total = rest.length;
          handleMessage(sock, connId, msg);
        }
      } catch (err) {
        log(
          `connection ${connId}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}; closing`,
        );
        sock.destroy();
      }
    });
    sock.on('error', (err) => log(`connection ${connId}: ${err.message}`));
    sock.on('close', () => sockets.delete(sock));
  };

  const server: Server = createServer(onConnection);
  server.on('error', (err) => log(`server error: ${err.message}`));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    journal?.close();
    throw err;
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (options.port ?? 0);
  const advertised = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  me = advertised.includes(':') ? `[${advertised}]:${port}` : `${advertised}:${port}`;

  const reaper = setInterval(() => {
    state.sessions.reap();
    state.cursors.reap();
  }, 1000);
  reaper.unref();
  const ttl = setInterval(() => {
    const removed = engine.expireTtl();
    if (removed > 0) {
      log(`TTL monitor removed ${removed} documents`);
      if (journal?.hasPending) scheduleFlush();
    }
  }, options.ttlMonitorIntervalMs ?? 60_000);
  ttl.unref();
  const compactor = setInterval(() => {
    // compact once the journal outgrows the snapshot, so compaction cost stays proportional
    const threshold = Math.max(PERIODIC_COMPACT_MIN_BYTES, journal?.snapshotBytes ?? 0);
    if (journal && journal.size > threshold && queue.length === 0) compact();
  }, options.snapshotIntervalMs ?? 30_000);
  compactor.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(reaper);
      clearInterval(compactor);
      clearInterval(ttl);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      flush();
      for (const s of sockets) s.destroy();
      await closed;
      state.sessions.abortAll();
      if (journal) {
        try {
          // the last snapshot, written at once for a fast restart (it replaces one being written)
          if (journal.size > 0 || journal.snapshotting) {
            const t0 = Date.now();
            journal.compact(engine.captureState());
            logSnapshot(t0, 'at shutdown');
          }
        } catch (err) {
          log(`snapshot failed: ${String(err)}`);
        }
        journal.close();
      }
      log('closed');
    })();
    return closing;
  };

  const url = `mongodb://${me}/?replicaSet=${encodeURIComponent(setName)}`;
  log(
    `listening on ${host}:${port} (replica set ${setName}, ${options.dataDir ? `data dir ${options.dataDir}` : 'in memory'})`,
  );
  return { url, port, close };
}
