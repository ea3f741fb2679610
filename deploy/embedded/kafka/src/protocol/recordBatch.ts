/**
 * RecordBatch v2 (magic 2) helpers. Batches are kept as opaque bytes: the broker
 * reads a few header fields, verifies the CRC32C and rewrites the base offset
 * (bytes 0..8, outside the CRC, which covers bytes 21..end).
 *
 *   0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8
 *  17 crc uint32 | 21 attributes int16 | 23 lastOffsetDelta int32 | 27 firstTimestamp int64
 *  35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16 | 53 baseSequence int32
 *  57 recordCount int32 | 61 records...
 */
import { crc32c } from './crc32c.ts';

export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: batchLength counts the bytes after these 12. */
export const LOG_OVERHEAD = 12;

export type BatchCheck =
  | { ok: true; size: number }
  | { ok: false; reason: string /* enough bytes for a full header+body? */; truncated: boolean };

/** Validates the batch starting at `pos` (length, magic, CRC32C). */
export function checkBatch(buf: Buffer, pos: number, end = buf.length): BatchCheck {
  if (end - pos < BATCH_HEADER_SIZE) return { ok: false, reason: 'short batch header', truncated: true };
  const batchLength = buf.readInt32BE(pos + 8);
  const size = LOG_OVERHEAD + batchLength;
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    return { ok: false, reason: `bad batch length ${batchLength}`, truncated: false };
  }
  if (pos + size > end) return { ok: false, reason: 'batch extends past end of data', truncated: true };
  const magic = buf.readInt8(pos + 16);
  if (magic !== 2) return { ok: false, reason: `unsupported magic ${magic}`, truncated: false };
  const expected = buf.readUInt32BE(pos + 17);
  const actual = crc32c(buf, pos + 21, pos + size);
  if (expected !== actual) return { ok: false, reason: 'CRC32C mismatch', truncated: false };
  return { ok: true, size };
}

export function setBatchBaseOffset(b: Buffer, offset: number): void {
  b.writeBigInt64BE(BigInt(offset), 0);
}
export function batchLastOffsetDelta(b: Buffer): number {
  return b.readInt32BE(23);
}
export function batchMaxTimestamp(b: Buffer): number {
  return Number(b.readBigInt64BE(35));
}
export function batchProducerId(b: Buffer): number {
  return Number(b.readBigInt64BE(43));
}
export function batchProducerEpoch(b: Buffer): number {
  return b.readInt16BE(51);
}
export function batchBaseSequence(b: Buffer): number {
  return b.readInt32BE(53);
}
