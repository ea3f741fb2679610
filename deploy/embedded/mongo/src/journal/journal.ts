import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
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
 * journal (`journal.<g+1>.log`) and the state as of the cut is written to `snapshot.tmp` a slice
 * at a time. Once installed as `snapshot.bson` (header: generation g+1), the journals before g+1
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
  recover(apply: (rec: Doc) => void): { snapshotRecords: number; journalRecords: number } {
    mkdirSync(this.dir, { recursive: true });
    this.lock = lockDataDir(this.dir, this.log);
    try {
      return this.load(apply);
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  private load(apply: (rec: Doc) => void): { snapshotRecords: number; journalRecords: number } {
    const snapPath = join(this.dir, 'snapshot.bson');
    let snapshotRecords = 0;
    if (existsSync(snapPath)) {
      const buf = readFileSync(snapPath);
      this.snapshotBytes = buf.length;
      let head: Doc | undefined;
      const validLength = forEachFrame(buf, (rec) => {
        if (head) {
          apply(rec);
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
      const validLength = forEachFrame(buf, (rec) => {
        apply(rec);
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
    const frame = encodeFrame(rec);
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
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
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
   * committed state as of now, produced lazily) becomes its snapshot as `continueSnapshot` writes it.
   */
  startSnapshot(state: Iterable<Doc>): void {
    if (this.snapshot) throw new Error('a snapshot is already being written');
    this.flush();
    const gen = this.gen + 1;
    const fd = openSync(this.journalPath(gen), 'a');
    closeSync(this.fd);
    this.fd = fd;
    this.gen = gen;
    this.bytes = 0;
    this.snapshot = new SnapshotWriter(join(this.dir, 'snapshot.tmp'), gen, state);
  }

  /**
   * Writes the snapshot for about `budgetMs`; once all is written, installs it and deletes the
   * journals it replaces. Returns whether the snapshot is done. A failed snapshot is abandoned:
   * the previous snapshot and the journals since stay, and recovery needs nothing else.
   */
  continueSnapshot(budgetMs: number): boolean {
    const writer = this.snapshot;
    if (!writer) return true;
    try {
      if (!writer.write(budgetMs)) return false;
      writer.install(join(this.dir, 'snapshot.bson'));
    } catch (err) {
      writer.abandon();
      throw err;
    } finally {
      if (writer.closed) this.snapshot = undefined;
    }
    syncDir(this.dir);
    this.snapshotBytes = writer.bytes;
    for (const f of readdirSync(this.dir)) {
      const gen = journalGen(f);
      if (gen !== undefined && gen < writer.gen) unlinkSync(join(this.dir, f));
    }
    return true;
  }

  /** Writes a snapshot of `state` (the full committed state) at once, e.g. on shutdown. */
  compact(state: Iterable<Doc>): void {
    this.startSnapshot(state);
    this.continueSnapshot(Number.POSITIVE_INFINITY);
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
 * `snapshot.tmp` being written a slice at a time: frames are gathered into chunks of a few MiB,
 * each written with one write(2).
 */
class SnapshotWriter {
  private readonly path: string;
  private readonly fd: number;
  private readonly records: Iterator<Doc>;
  /** the journal generation that follows this snapshot */
  readonly gen: number;
  private chunk: Uint8Array[] = [];
  private chunkBytes = 0;
  bytes = 0;
  closed = false;

  constructor(path: string, gen: number, state: Iterable<Doc>) {
    this.path = path;
    this.gen = gen;
    this.fd = openSync(path, 'w');
    this.records = state[Symbol.iterator]();
    this.put(encodeFrame({ op: 'snapshot', gen }));
  }

  /** Encodes and writes records for about `budgetMs`; true once every record is written. */
  write(budgetMs: number): boolean {
    const until = performance.now() + budgetMs;
    for (;;) {
      const next = this.records.next();
      if (next.done) {
        this.drain();
        return true;
      }
      this.put(encodeFrame(next.value));
      if (performance.now() >= until) return false;
    }
  }

  install(target: string): void {
    fsyncSync(this.fd);
    this.close();
    renameSync(this.path, target);
  }

  abandon(): void {
    if (this.closed) return;
    this.close();
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private put(frame: Uint8Array): void {
    this.chunk.push(frame);
    this.chunkBytes += frame.length;
    if (this.chunkBytes > 1 << 22) this.drain();
  }

  private drain(): void {
    const buf = Buffer.concat(this.chunk, this.chunkBytes);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.bytes += buf.length;
    this.chunk = [];
    this.chunkBytes = 0;
  }

  private close(): void {
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The generation of a journal file's name (`journal.<gen>.log`), else undefined. */
function journalGen(file: string): number | undefined {
  const m = /^journal\.(\d+)\.log$/.exec(file);
  return m ? Number(m[1]) : undefined;
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

export function encodeFrame(rec: Doc): Uint8Array {
  const payload = serializeAnySize(rec);
  const frame = Buffer.allocUnsafe(8 + payload.length);
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
export function forEachFrame(buf: Buffer, each: (rec: Doc) => void): number {
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
    each(rec);
    off += 8 + len;
  }
  return off;
}
