/** Bounds-checked reader for the (non-flexible) Kafka wire types. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export class Decoder {
  readonly buf: Buffer;
  offset: number;

  constructor(buf: Buffer, offset = 0) {
    this.buf = buf;
    this.offset = offset;
  }

  remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) {
      throw new ProtocolError(`truncated: need ${n} bytes at ${this.offset}, have ${this.remaining()}`);
    }
  }

  readInt8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  readBoolean(): boolean {
    return this.readInt8() !== 0;
  }

  readInt16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readInt32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** int64 as a JS number (offsets and timestamps stay far below 2^53). */
  readInt64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.offset));
    this.offset += 8;
    return v;
  }

  readNullableString(): string | null {
    const len = this.readInt16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  /** A non-nullable string; a null (length -1) reads as '' since some clients send null for "unset". */
  readString(): string {
    return this.readNullableString() ?? '';
  }

  /** Returns a view into the request buffer (no copy). */
  readNullableBytes(): Buffer | null {
    const len = this.readInt32();
    if (len < 0) return null;
    this.need(len);
    const b = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  readBytes(): Buffer {
    return this.readNullableBytes() ?? Buffer.alloc(0);
  }

  readNullableArray<T>(item: (d: Decoder) => T): T[] | null {
    const n = this.readInt32();
    if (n < 0) return null;
    // every element takes at least one byte: reject absurd counts before allocating
    if (n > this.remaining()) throw new ProtocolError(`array length ${n} exceeds remaining bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  readArray<T>(item: (d: Decoder) => T): T[] {
    return this.readNullableArray(item) ?? [];
  }
}
