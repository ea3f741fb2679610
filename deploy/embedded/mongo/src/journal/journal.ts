import {
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  writev,
  writevSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { type DataDirLock, lockDataDir } from '@roster/embedded-process';
import { calculateObjectSize, deserialize, serialize, setInternalBufferSize } from 'bson';
import type { Doc } from '../storage/values.ts';

/**
 * Append-only journal plus compacted snapshot.
 *
 * Frame layout (journal and snapshot files alike): u32 LE payload length, u32 LE CRC-32 of the
 * payload, payload = one BSON document. A frame whose header or payload is incomplete, or whose
 * CRC does not match, marks a torn tail: it and everything after it is dropped at recovery.
 *
 * Durability: records are written with write(2) (synchronously, one write per event-loop tick for
 * all commands handled in that tick) before any reply that depends on them is sent. The data then
 * sits in the OS page cache, which survives `kill -9` of this process; we deliberately do not fsync
 * every write (a development store, not a production database), so an OS crash or power loss can
 * lose the last writes. Snapshots are fsynced and installed by atomic rename.
 *
 * A snapshot is written while writes go on: at the cut, appends move to the next generation's
 * journal (`journal.<g+1>.log`) and the state as of the cut is written to `snapshot.tmp` in the
 * background (gathered a slice per event-loop turn, written by the thread pool). Once installed
 * as `snapshot.bson` (header: generation g+1), the journals before g+1
 * are deleted. Recovery loads the snapshot of generation g and replays journals g, g+1, … in
 * order, so a crash at any point of a snapshot loses nothing.
 */
export class Journal {
  private readonly dir: string;
  private readonly log: (line: string) => void;
  private fd = -1;
  private gen = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private bytes = 0;
  private failed: Error | undefined;
  private lock: DataDirLock | undefined;
  private snapshot: SnapshotWriter | undefined;
  /** size of the current snapshot file, to keep compaction proportional to the data */
  snapshotBytes = 0;

  constructor(dir: string, log: (line: string) => void) {
    this.dir = dir;
    this.log = log;
  }

  /** Loads the snapshot, replays the journal through `apply`, and opens the journal for appends. */
  recover(apply: (rec: Doc, frame: Uint8Array) => void): { snapshotRecords: number; journalRecords: number } {
    mkdirSync(this.dir, { recursive: true });
    this.lock = lockDataDir(this.dir, this.log);
    try {
      return this.load(apply);
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  private load(apply: (rec: Doc, frame: Uint8Array) => void): {
    snapshotRecords: number;
    journalRecords: number;
  } {
    const snapPath = join(this.dir, 'snapshot.bson');
    let snapshotRecords = 0;
    if (existsSync(snapPath)) {
      const buf = readFileSync(snapPath);
      this.snapshotBytes = buf.length;
      let head: Doc | undefined;
      const validLength = forEachFrame(buf, (rec, frame) => {
        if (head) {
          apply(rec, frame);
          snapshotRecords++;
          return;
        }
        if (rec.op !== 'snapshot') throw new Error(`snapshot ${snapPath} has no header`);
        head = rec;
      });
      if (validLength !== buf.length)
        throw new Error(`snapshot ${snapPath} is corrupt at byte ${validLength}`);
      if (!head) throw new Error(`snapshot ${snapPath} has no header`);
      this.gen = Number(head.gen);
    }
    const snapshotGen = this.gen;
    let journalRecords = 0;
    for (let gen = snapshotGen; existsSync(this.journalPath(gen)); gen++) {
      this.gen = gen;
      const journalPath = this.journalPath(gen);
      const buf = readFileSync(journalPath);
      const validLength = forEachFrame(buf, (rec, frame) => {
        apply(rec, frame);
        journalRecords++;
      });
      this.bytes += validLength;
      if (validLength !== buf.length) {
        // what follows a torn frame is lost, later generations included: they would apply on
        // top of a gap
        this.log(
          `journal ${journalPath}: torn tail of ${buf.length - validLength} bytes at offset ${validLength} dropped`,
        );
        const fd = openSync(journalPath, 'r+');
        ftruncateSync(fd, validLength);
        closeSync(fd);
        break;
      }
    }
    for (const f of readdirSync(this.dir)) {
      const gen = journalGen(f);
      const replayed = gen !== undefined && gen >= snapshotGen && gen <= this.gen;
      if ((gen !== undefined && !replayed) || f === 'snapshot.tmp') unlinkSync(join(this.dir, f));
    }
    this.fd = openSync(this.journalPath(this.gen), 'a');
    return { snapshotRecords, journalRecords };
  }

  private journalPath(gen: number): string {
    return join(this.dir, `journal.${gen}.log`);
  }

  append(rec: Doc): void {
    this.appendFrame(encodeFrame(rec));
  }

  /** Appends a record encoded already (`encodeFrame`). */
  appendFrame(frame: Uint8Array): void {
    this.pending.push(frame);
    this.pendingBytes += frame.length;
  }

  get hasPending(): boolean {
    return this.pendingBytes > 0;
  }

  /** Bytes in the current journal generation (since the last snapshot). */
  get size(): number {
    return this.bytes + this.pendingBytes;
  }

  /**
   * Group commit: one write(2) for every record appended since the last flush. After a failed write
   * (disk full, I/O error) the journal refuses all further writes: a retry could leave a torn frame
   * in the middle of the file, and nothing after it would be recovered.
   */
  flush(): void {
    if (this.failed) throw this.failed;
    if (this.pendingBytes === 0 || this.fd < 0) return;
    try {
      writeAllSync(this.fd, this.pending, this.pendingBytes);
    } catch (err) {
      this.failed = err instanceof Error ? err : new Error(String(err));
      throw this.failed;
    }
    this.bytes += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  get snapshotting(): boolean {
    return this.snapshot !== undefined;
  }

  /**
   * Cuts the journal: appends go to the next generation from now on, and `state` (the full
   * committed state as of now, produced lazily) becomes its snapshot as `writeSnapshot` writes it.
   */
  startSnapshot(state: Iterable<Doc | Uint8Array>): void {
    this.cut(state, 'background');
  }

  private cut(state: Iterable<Doc | Uint8Array>, io: SnapshotIo): SnapshotWriter {
    if (this.snapshot) throw new Error('a snapshot is already being written');
    this.flush();
    const gen = this.gen + 1;
    const fd = openSync(this.journalPath(gen), 'a');
    closeSync(this.fd);
    this.fd = fd;
    this.gen = gen;
    this.bytes = 0;
    this.snapshot = new SnapshotWriter(join(this.dir, 'snapshot.tmp'), gen, state, io);
    return this.snapshot;
  }

  /**
   * Writes the snapshot `startSnapshot` began: records are gathered for `sliceMs` per event-loop
   * turn, and libuv's thread pool writes the file meanwhile, so commands are served all along; then
   * installs it and deletes the journals it replaces. Resolves with the turns it took, or undefined
   * if `close` or `compact` abandoned it. A failed snapshot is abandoned: the previous snapshot and
   * the journals since stay, and recovery needs nothing else.
   */
  async writeSnapshot(sliceMs: number): Promise<number | undefined> {
    const writer = this.snapshot;
    if (!writer) return undefined;
    let slices = 1;
    try {
      while (!writer.gather(sliceMs)) {
        slices++;
        await new Promise(setImmediate);
      }
      await writer.written();
    } catch (err) {
      if (writer.abandoned) return undefined;
      this.snapshot = undefined;
      writer.abandon();
      throw err;
    }
    if (writer.abandoned) return undefined;
    this.snapshot = undefined;
    this.install(writer);
    return slices;
  }

  private install(writer: SnapshotWriter): void {
    writer.install(join(this.dir, 'snapshot.bson'));
    syncDir(this.dir);
    this.snapshotBytes = writer.bytes;
    for (const f of readdirSync(this.dir)) {
      const gen = journalGen(f);
      if (gen !== undefined && gen < writer.gen) unlinkSync(join(this.dir, f));
    }
  }

  /**
   * Writes a snapshot of `state` (the full committed state) at once, e.g. on shutdown; one being
   * written in the background is abandoned first (this one holds everything it would).
   */
  compact(state: Iterable<Doc | Uint8Array>): void {
    this.snapshot?.abandon();
    this.snapshot = undefined;
    const writer = this.cut(state, 'synchronous');
    try {
      writer.gather(Number.POSITIVE_INFINITY);
      writer.fsyncNow();
    } catch (err) {
      writer.abandon();
      throw err;
    } finally {
      this.snapshot = undefined;
    }
    this.install(writer);
  }

  close(): void {
    if (this.fd < 0) return;
    this.snapshot?.abandon();
    this.snapshot = undefined;
    if (this.failed) {
      closeSync(this.fd);
      this.fd = -1;
      this.unlock();
      return;
    }
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    this.unlock();
  }

  private unlock(): void {
    this.lock?.release();
    this.lock = undefined;
  }
}

/**
 * How a snapshot's file is written: by libuv's thread pool while the event loop serves commands,
 * or with synchronous writes (at shutdown, when nothing else is left to do).
 */
type SnapshotIo = 'background' | 'synchronous';

/**
 * `snapshot.tmp` being written: records (or frames encoded already) are gathered a slice at a time
 * into chunks of 256 KiB, each written with one writev(2) — on this kind of machine a write of a few
 * MiB costs several times as much per byte. In the background, one chunk is written at a time, in
 * order, while the next ones are gathered.
 */
class SnapshotWriter {
  private readonly path: string;
  private readonly fd: number;
  private readonly io: SnapshotIo;
  private readonly records: Iterator<Doc | Uint8Array>;
  /** the journal generation that follows this snapshot */
  readonly gen: number;
  private chunk: Uint8Array[] = [];
  private chunkBytes = 0;
  /** chunks gathered, waiting for the write in flight (background) */
  private readonly queued: { buffers: Uint8Array[]; bytes: number }[] = [];
  /** a write or the fsync is with the thread pool: the descriptor must stay open until it returns */
  private inFlight = false;
  private failure: Error | undefined;
  private whenIdle: (() => void) | undefined;
  bytes = 0;
  abandoned = false;
  private closed = false;

  constructor(path: string, gen: number, state: Iterable<Doc | Uint8Array>, io: SnapshotIo) {
    this.path = path;
    this.gen = gen;
    this.io = io;
    this.fd = openSync(path, 'w');
    this.records = state[Symbol.iterator]();
    this.put(encodeFrame({ op: 'snapshot', gen }));
  }

  /** Gathers (encodes where needed) records for about `budgetMs`; true once every record is. */
  gather(budgetMs: number): boolean {
    if (this.abandoned) throw new Error('snapshot abandoned');
    const until = performance.now() + budgetMs;
    for (;;) {
      const next = this.records.next();
      if (next.done) {
        this.drain();
        return true;
      }
      this.put(next.value instanceof Uint8Array ? next.value : encodeFrame(next.value));
      if (performance.now() >= until) return false;
    }
  }

  /** Resolves once every gathered chunk is written and the file fsynced (background). */
  async written(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.whenIdle = resolve;
      this.writeNext();
    });
    if (this.failure) throw this.failure;
    if (this.abandoned) throw new Error('snapshot abandoned');
    this.inFlight = true;
    try {
      await new Promise<void>((resolve, reject) => fsync(this.fd, (err) => (err ? reject(err) : resolve())));
    } finally {
      this.settled();
    }
  }

  fsyncNow(): void {
    fsyncSync(this.fd);
  }

  install(target: string): void {
    this.close();
    renameSync(this.path, target);
  }

  /** Removes the file now; its descriptor closes once the thread pool is done with it. */
  abandon(): void {
    if (this.abandoned || this.closed) return;
    this.abandoned = true;
    this.queued.length = 0;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
    if (!this.inFlight) this.close();
  }

  private put(frame: Uint8Array): void {
    this.chunk.push(frame);
    this.chunkBytes += frame.length;
    if (this.chunkBytes >= SNAPSHOT_CHUNK_BYTES) this.drain();
  }

  private drain(): void {
    if (this.chunkBytes === 0) return;
    const gathered = { buffers: this.chunk, bytes: this.chunkBytes };
    this.bytes += this.chunkBytes;
    this.chunk = [];
    this.chunkBytes = 0;
    if (this.io === 'synchronous') {
      writeAllSync(this.fd, gathered.buffers, gathered.bytes);
      return;
    }
    this.queued.push(gathered);
    this.writeNext();
  }

  private writeNext(): void {
    if (this.inFlight) return;
    const next = this.failure || this.abandoned ? undefined : this.queued.shift();
    if (!next) {
      this.whenIdle?.();
      this.whenIdle = undefined;
      return;
    }
    this.inFlight = true;
    writev(this.fd, next.buffers, (err, written) => {
      if (err) this.failure = err;
      else if (written !== next.bytes)
        this.failure = new Error(`short snapshot write: ${written} of ${next.bytes} bytes`);
      this.settled();
      this.writeNext();
    });
  }

  /** The thread pool returned the descriptor: close it if the snapshot was abandoned meanwhile. */
  private settled(): void {
    this.inFlight = false;
    if (this.abandoned) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The generation of a journal file's name (`journal.<gen>.log`), else undefined. */
function journalGen(file: string): number | undefined {
  const m = /^journal\.(\d+)\.log$/.exec(file);
  return m ? Number(m[1]) : undefined;
}

/**
 * Writes `buffers` (`total` bytes) in order with writev(2): no copy into one buffer first, whose
 * allocation (megabytes per snapshot slice) would also count towards the next garbage collection.
 */
function writeAllSync(fd: number, buffers: Uint8Array[], total: number): void {
  const written = writevSync(fd, buffers);
  if (written === total) return;
  const rest = Buffer.concat(buffers, total).subarray(written);
  let off = 0;
  while (off < rest.length) off += writeSync(fd, rest, off, rest.length - off);
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // not supported on every platform
  }
}

const SNAPSHOT_CHUNK_BYTES = 256 * 1024;

/**
 * One record as a frame in memory of its own: a version's frame is kept as long as the version
 * (`Rec.frame`), and a slice of Node's shared 8 KiB pool would keep the whole slab alive.
 */
export function encodeFrame(rec: Doc): Uint8Array {
  const payload = serializeAnySize(rec);
  const frame = Buffer.allocUnsafeSlow(8 + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, 8);
  return frame;
}

/**
 * `serialize` works in a 17 MiB scratch buffer and throws beyond it. Documents are at most 16 MiB,
 * but a committed transaction is one record holding all of its documents: grow the buffer for it
 * rather than fail the journal (and every snapshot after it).
 */
function serializeAnySize(rec: Doc): Uint8Array {
  try {
    return serialize(rec);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    setInternalBufferSize(calculateObjectSize(rec));
    return serialize(rec);
  }
}

/**
 * Decodes frames one at a time into `each` until the end or the first torn/corrupt frame, and
 * returns the length of the valid frames. One at a time: a journal holds many versions of the same
 * documents, and only the state they make, not all of them at once, has to fit in memory.
 */
export function forEachFrame(buf: Buffer, each: (rec: Doc, frame: Buffer) => void): number {
  let off = 0;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (len < 5 || off + 8 + len > buf.length) break;
    const payload = buf.subarray(off + 8, off + 8 + len);
    if (crc32(payload) !== crc) break;
    let rec: Doc;
    try {
      rec = deserialize(payload) as Doc;
    } catch {
      break;
    }
    each(rec, buf.subarray(off, off + 8 + len));
    off += 8 + len;
  }
  return off;
}
