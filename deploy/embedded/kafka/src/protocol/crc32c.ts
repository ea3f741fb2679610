/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slice-by-8.
 * Record batches v2 carry a CRC32C of bytes [21, end) (attributes .. last record).
 */
const POLY = 0x82f63b78;
const TABLE = new Int32Array(256 * 8);

for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n]!;
  for (let t = 1; t < 8; t++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8);
    TABLE[t * 256 + n] = c;
  }
}

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = -1;
  let i = start;
  const t = TABLE;
  const last8 = end - ((end - start) & 7);
  while (i < last8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) {
    crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return (crc ^ -1) >>> 0;
}
