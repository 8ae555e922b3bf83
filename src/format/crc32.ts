// CRC-32 as zlib, PNG and gzip compute it (IEEE 802.3 polynomial, reflected,
// initial value and final XOR 0xFFFFFFFF), so any language's zlib.crc32 can
// check a model file.

let table: Int32Array | null = null;

/** The 8 × 256 slicing-by-8 tables, made on first use (8 KiB) so importing this module costs nothing. */
function getTable(): Int32Array {
  if (table !== null) return table;
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  table = t;
  return t;
}

/**
 * CRC-32 of bytes[start … end), as an unsigned 32-bit integer.
 * Cost: about one table lookup per byte (slicing by 8); no allocation after the first call.
 */
export function crc32(bytes: Uint8Array, start: number = 0, end: number = bytes.length): number {
  const t = getTable();
  let crc = -1;
  let i = start;
  // Eight bytes per round: eight independent lookups instead of a chain of eight.
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc =
      t[1792 + (a & 0xff)] ^
      t[1536 + ((a >>> 8) & 0xff)] ^
      t[1280 + ((a >>> 16) & 0xff)] ^
      t[1024 + (a >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
