/**
 * Writer for the Kafka wire types. Small fields go into a scratch buffer; large
 * payloads (record batches) are appended by reference, so a response is a list of
 * chunks handed to the socket without copying.
 */
export class Encoder {
  private chunks: Buffer[] = [];
  private scratch: Buffer;
  private start = 0;
  private pos = 0;
  private total = 0;

  constructor(initial = 256) {
    this.scratch = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    this.flushScratch();
    this.scratch = Buffer.allocUnsafe(Math.max(n, this.scratch.length * 2, 256));
    this.start = 0;
    this.pos = 0;
  }

  private flushScratch(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.scratch.subarray(this.start, this.pos));
      this.start = this.pos;
    }
  }

  get size(): number {
    return this.total;
  }

  writeInt8(v: number): this {
    this.ensure(1);
    this.scratch.writeInt8(v, this.pos);
    this.pos += 1;
    this.total += 1;
    return this;
  }

  writeBoolean(v: boolean): this {
    return this.writeInt8(v ? 1 : 0);
  }

  writeInt16(v: number): this {
    this.ensure(2);
    this.scratch.writeInt16BE(v, this.pos);
    this.pos += 2;
    this.total += 2;
    return this;
  }

  writeInt32(v: number): this {
    this.ensure(4);
    this.scratch.writeInt32BE(v, this.pos);
    this.pos += 4;
    this.total += 4;
    return this;
  }

  writeInt64(v: number): this {
    this.ensure(8);
    this.scratch.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    this.total += 8;
    return this;
  }

  writeNullableString(s: string | null): this {
    if (s === null) return this.writeInt16(-1);
    const len = Buffer.byteLength(s);
    this.ensure(2 + len);
    this.scratch.writeInt16BE(len, this.pos);
    this.scratch.write(s, this.pos + 2, 'utf8');
    this.pos += 2 + len;
    this.total += 2 + len;
    return this;
  }

  writeString(s: string): this {
    return this.writeNullableString(s);
  }

  writeNullableBytes(b: Buffer | null): this {
    if (b === null) return this.writeInt32(-1);
    this.writeInt32(b.length);
    return this.writeRaw(b);
  }

  writeBytes(b: Buffer): this {
    return this.writeNullableBytes(b);
  }

  /** Appends bytes without a length prefix; big buffers are referenced, not copied. */
  writeRaw(b: Buffer): this {
    if (b.length <= 64) {
      this.ensure(b.length);
      b.copy(this.scratch, this.pos);
      this.pos += b.length;
    } else {
      this.flushScratch();
      this.chunks.push(b);
    }
    this.total += b.length;
    return this;
  }

  writeArray<T>(items: readonly T[], item: (e: this, v: T) => void): this {
    this.writeInt32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  /** The encoded bytes as a list of chunks (the encoder must not be used afterwards). */
  toChunks(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }

  toBuffer(): Buffer {
    const c = this.toChunks();
    return c.length === 1 ? c[0]! : Buffer.concat(c, this.total);
  }
}
