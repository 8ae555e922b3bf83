import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/index.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Bit-by-bit CRC-32 straight from the definition, independent of the table-driven code. */
function crc32Bitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the published check values (zlib, PNG, gzip)', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bitwise definition for every length 0…80 and for sub-ranges', () => {
    const bytes = new Uint8Array(80);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 167 + 13) & 0xff;
    for (let n = 0; n <= bytes.length; n++) expect(crc32(bytes, 0, n)).toBe(crc32Bitwise(bytes.subarray(0, n)));
    expect(crc32(bytes, 7, 61)).toBe(crc32Bitwise(bytes.subarray(7, 61)));
  });
});
