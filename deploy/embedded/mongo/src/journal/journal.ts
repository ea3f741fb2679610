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
      const { records, validLength } = readFrames(buf);
      if (validLength !== buf.length)
        throw new Error(`snapshot ${snapPath} is corrupt at byte ${validLength}`);
      const head = records[0];
      if (head?.op !== 'snapshot') throw new Error(`snapshot ${snapPath} has no header`);
      this.gen = Number(head.gen);
      for (const rec of records.slice(1)) apply(rec);
      snapshotRecords = records.length - 1;
    }
    const journalPath = this.journalPath(this.gen);
    let journalRecords = 0;
    if (existsSync(journalPath)) {
      const buf = readFileSync(journalPath);
      const { records, validLength } = readFrames(buf);
      for (const rec of records) apply(rec);
      journalRecords = records.length;
      if (validLength !== buf.length) {
        this.log(
          `journal ${journalPath}: torn tail of ${buf.length - validLength} bytes at offset ${validLength} dropped`,
        );
        const fd = openSync(journalPath, 'r+');
        ftruncateSync(fd, validLength);
        closeSync(fd);
      }
      this.bytes = validLength;
    }
    for (const f of readdirSync(this.dir)) {
      if ((f.startsWith('journal.') && f !== `journal.${this.gen}.log`) || f === 'snapshot.tmp') {
        unlinkSync(join(this.dir, f));
      }
    }
    this.fd = openSync(journalPath, 'a');
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

  /** Writes a compacted snapshot of `records` (the full committed state) and starts a new journal. */
  compact(records: Iterable<Doc>): void {
    this.flush();
    const next = this.gen + 1;
    const tmp = join(this.dir, 'snapshot.tmp');
    const fd = openSync(tmp, 'w');
    try {
      const chunk: Uint8Array[] = [];
      let size = 0;
      const put = (frame: Uint8Array): void => {
        chunk.push(frame);
        size += frame.length;
        if (size > 1 << 22) drain();
      };
      let written = 0;
      const drain = (): void => {
        const buf = Buffer.concat(chunk, size);
        written += buf.length;
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        chunk.length = 0;
        size = 0;
      };
      put(encodeFrame({ op: 'snapshot', gen: next }));
      for (const rec of records) put(encodeFrame(rec));
      drain();
      fsyncSync(fd);
      this.snapshotBytes = written;
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, 'snapshot.bson'));
    syncDir(this.dir);
    const old = this.journalPath(this.gen);
    closeSync(this.fd);
    this.gen = next;
    this.fd = openSync(this.journalPath(next), 'a');
    this.bytes = 0;
    try {
      unlinkSync(old);
    } catch {
      // already gone
    }
  }

  close(): void {
    if (this.fd < 0) return;
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

/** Parses frames until the end or the first torn/corrupt frame. */
export function readFrames(buf: Buffer): { records: Doc[]; validLength: number } {
  const records: Doc[] = [];
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
    records.push(rec);
    off += 8 + len;
  }
  return { records, validLength: off };
}
