/**
 * One partition's log: an in-memory index of record batches (opaque bytes) plus,
 * with a data directory, append-only segment files holding the batches exactly as
 * Kafka lays them out on disk (each batch carries its own length and CRC32C).
 *
 * Durability: append() write(2)s the batch before returning, so an acknowledged
 * batch survives a killed broker process (not a power loss: no fsync).
 * Recovery scans every segment, validating length, magic, CRC32C and offset
 * continuity; the first invalid batch and everything after it is truncated.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  batchLastOffsetDelta,
  batchMaxTimestamp,
  checkBatch,
  setBatchBaseOffset,
} from '../protocol/recordBatch.ts';

export interface LogConfig {
  /** Directory of this partition's segments, or null for memory only. */
  dir: string | null;
  retentionBytes: number | null;
  /** With a directory: bytes of recent batches kept in memory; older ones are read from disk. */
  cacheBytes: number;
  logger: (line: string) => void;
}

interface Segment {
  baseOffset: number;
  path: string;
  fd: number;
  size: number;
}

interface Entry {
  baseOffset: number;
  /** last offset in the batch + 1 */
  nextOffset: number;
  maxTimestamp: number;
  size: number;
  segment: Segment | null;
  position: number;
  data: Buffer | null;
}

interface ProducerState {
  epoch: number;
  recent: { baseSequence: number; baseOffset: number }[];
}

export type ReadResult =
  | { ok: true; chunks: Buffer[]; bytes: number }
  | { ok: false; error: 'OFFSET_OUT_OF_RANGE' };

const SEGMENT_FILE = /^(\d{20})\.log$/;
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

function segmentName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

function writeFully(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  logStartOffset = 0;
  /** = log end offset = last stable offset (single replica, no transactions) */
  highWatermark = 0;

  private readonly config: LogConfig;
  private readonly segmentBytes: number;
  private entries: Entry[] = [];
  private head = 0;
  private cacheHead = 0;
  private cachedBytes = 0;
  private bytes = 0;
  private segments: Segment[] = [];
  private listeners = new Set<() => void>();
  private producers = new Map<number, ProducerState>();
  private closed = false;

  constructor(topic: string, partition: number, config: LogConfig) {
    this.topic = topic;
    this.partition = partition;
    this.config = config;
    const r = config.retentionBytes;
    this.segmentBytes = r
      ? Math.min(MAX_SEGMENT_BYTES, Math.max(4096, Math.floor(r / 4)))
      : MAX_SEGMENT_BYTES;
    if (config.dir) this.recover(config.dir);
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  private recover(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const files = fs
      .readdirSync(dir)
      .map((f) => SEGMENT_FILE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], base: Number(m[1]) }))
      .sort((a, b) => a.base - b.base);
    let expected = -1;
    let corrupt = false;
    for (const f of files) {
      const file = path.join(dir, f.name);
      if (corrupt) {
        this.config.logger(`log ${this.topic}-${this.partition}: removing ${f.name} after a corrupt segment`);
        fs.rmSync(file, { force: true });
        continue;
      }
      if (expected === -1) {
        expected = f.base;
        this.logStartOffset = f.base;
        this.highWatermark = f.base;
      } else if (f.base !== expected) {
        this.config.logger(
          `log ${this.topic}-${this.partition}: gap before ${f.name}, dropping it and later files`,
        );
        fs.rmSync(file, { force: true });
        corrupt = true;
        continue;
      }
      const data = fs.readFileSync(file);
      const segment: Segment = { baseOffset: f.base, path: file, fd: -1, size: 0 };
      let pos = 0;
      while (pos < data.length) {
        const check = checkBatch(data, pos);
        const base = check.ok ? data.readBigInt64BE(pos) : 0n;
        if (!check.ok || Number(base) !== expected) {
          const reason = check.ok ? `offset ${base} where ${expected} was expected` : check.reason;
          this.config.logger(
            `log ${this.topic}-${this.partition}: truncating ${f.name} at byte ${pos} of ${data.length} (${reason})`,
          );
          fs.truncateSync(file, pos);
          corrupt = true;
          break;
        }
        const batch = data.subarray(pos, pos + check.size);
        const next = expected + batchLastOffsetDelta(batch) + 1;
        this.entries.push({
          baseOffset: expected,
          nextOffset: next,
          maxTimestamp: batchMaxTimestamp(batch),
          size: check.size,
          segment,
          position: pos,
          data: null,
        });
        this.bytes += check.size;
        expected = next;
        pos += check.size;
      }
      segment.size = pos;
      segment.fd = fs.openSync(file, 'a+');
      this.segments.push(segment);
      this.highWatermark = expected;
    }
    this.cacheHead = this.entries.length;
    if (this.segments.length === 0) this.roll();
  }

  private roll(): void {
    const dir = this.config.dir!;
    const file = path.join(dir, segmentName(this.highWatermark));
    const fd = fs.openSync(file, 'a+');
    this.segments.push({ baseOffset: this.highWatermark, path: file, fd, size: fs.fstatSync(fd).size });
  }

  /**
   * Idempotent producers: a batch whose (producerId, epoch, baseSequence) matches one of the
   * last five appended is a retry; returns its original base offset instead of appending twice.
   */
  findDuplicate(producerId: number, epoch: number, baseSequence: number): number | null {
    const p = this.producers.get(producerId);
    if (!p || p.epoch !== epoch) return null;
    for (const r of p.recent) if (r.baseSequence === baseSequence) return r.baseOffset;
    return null;
  }

  /** Appends one validated batch (rewriting its base offset); returns the base offset. */
  append(batch: Buffer, producerId = -1, epoch = 0, baseSequence = -1): number {
    if (this.closed) throw new Error('log closed');
    // keep the request's bytes (no copy) unless the batch is a small view that would pin a
    // much larger request buffer in memory
    const data = batch.byteLength * 8 < batch.buffer.byteLength ? Buffer.from(batch) : batch;
    const base = this.highWatermark;
    setBatchBaseOffset(data, base);
    const next = base + batchLastOffsetDelta(data) + 1;
    let segment: Segment | null = null;
    let position = 0;
    if (this.config.dir) {
      let active = this.segments[this.segments.length - 1]!;
      if (active.size >= this.segmentBytes && active.size > 0) {
        this.roll();
        active = this.segments[this.segments.length - 1]!;
      }
      writeFully(active.fd, data);
      segment = active;
      position = active.size;
      active.size += data.length;
    }
    this.entries.push({
      baseOffset: base,
      nextOffset: next,
      maxTimestamp: batchMaxTimestamp(data),
      size: data.length,
      segment,
      position,
      data,
    });
    this.bytes += data.length;
    this.cachedBytes += data.length;
    this.highWatermark = next;
    if (producerId >= 0) {
      let p = this.producers.get(producerId);
      if (!p || p.epoch !== epoch) {
        p = { epoch, recent: [] };
        this.producers.set(producerId, p);
      }
      p.recent.push({ baseSequence, baseOffset: base });
      if (p.recent.length > 5) p.recent.shift();
    }
    this.evict();
    this.enforceRetention();
    for (const l of this.listeners) l();
    return base;
  }

  private evict(): void {
    if (!this.config.dir) return;
    const last = this.entries.length - 1;
    while (this.cachedBytes > this.config.cacheBytes && this.cacheHead < last) {
      const e = this.entries[this.cacheHead++]!;
      if (e.data) {
        this.cachedBytes -= e.size;
        e.data = null;
      }
    }
  }

  private enforceRetention(): void {
    const limit = this.config.retentionBytes;
    if (!limit || this.bytes <= limit) return;
    let drop = this.head;
    if (this.config.dir) {
      // drop whole segments, never the active one
      while (this.bytes > limit && this.segments.length > 1) {
        const seg = this.segments.shift()!;
        while (drop < this.entries.length && this.entries[drop]!.segment === seg) {
          this.dropEntry(this.entries[drop]!);
          drop++;
        }
        fs.closeSync(seg.fd);
        fs.rmSync(seg.path, { force: true });
      }
    } else {
      while (this.bytes > limit && drop < this.entries.length - 1) {
        this.dropEntry(this.entries[drop]!);
        drop++;
      }
    }
    this.head = drop;
    const first = this.entries[this.head];
    if (first) this.logStartOffset = first.baseOffset;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.cacheHead = Math.max(0, this.cacheHead - this.head);
      this.head = 0;
    }
    this.cacheHead = Math.max(this.cacheHead, this.head);
  }

  private dropEntry(e: Entry): void {
    this.bytes -= e.size;
    if (e.data) this.cachedBytes -= e.size;
    e.data = null;
  }

  /** Index of the batch containing `offset` (offset must be in [logStartOffset, highWatermark)). */
  private find(offset: number): number {
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.nextOffset <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whole batches starting with the one containing `offset`, up to maxBytes, but always at
   * least one batch when `allowOversize` (so a batch bigger than the limit cannot wedge a consumer).
   */
  read(offset: number, maxBytes: number, allowOversize: boolean): ReadResult {
    if (offset < this.logStartOffset || offset > this.highWatermark) {
      return { ok: false, error: 'OFFSET_OUT_OF_RANGE' };
    }
    const chunks: Buffer[] = [];
    if (offset === this.highWatermark) return { ok: true, chunks, bytes: 0 };
    let bytes = 0;
    let i = this.find(offset);
    while (i < this.entries.length) {
      const e = this.entries[i]!;
      if (bytes + e.size > maxBytes && !(bytes === 0 && allowOversize)) break;
      if (e.data) {
        chunks.push(e.data);
        bytes += e.size;
        i++;
        continue;
      }
      // contiguous run on disk: one read
      let j = i;
      let runBytes = 0;
      while (j < this.entries.length) {
        const f = this.entries[j]!;
        if (f.data || f.segment !== e.segment) break;
        if (bytes + runBytes + f.size > maxBytes && !(bytes + runBytes === 0 && allowOversize)) break;
        runBytes += f.size;
        j++;
      }
      const buf = Buffer.allocUnsafe(runBytes);
      let got = 0;
      while (got < runBytes) {
        const n = fs.readSync(e.segment!.fd, buf, got, runBytes - got, e.position + got);
        if (n === 0) throw new Error(`short read in ${e.segment!.path}`);
        got += n;
      }
      chunks.push(buf);
      bytes += runBytes;
      i = j;
    }
    return { ok: true, chunks, bytes };
  }

  /** ListOffsets by timestamp: first offset of the first batch with maxTimestamp >= ts, or -1. */
  offsetForTimestamp(ts: number): number {
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.maxTimestamp >= ts) return Math.max(e.baseOffset, this.logStartOffset);
    }
    return -1;
  }

  /** Registers a callback run after every append; returns the unsubscribe function. */
  onAppend(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.segments) fs.closeSync(s.fd);
    this.segments = [];
    this.entries = [];
    this.listeners.clear();
  }
}
