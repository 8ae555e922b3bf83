import { describe, expect, it } from 'vitest';
import { Q4Matrix, q4MatVecInto } from '../../src/index.ts';

describe('Q4Matrix', () => {
  it('packs two signed nibbles a byte, low nibble first, each row starting on a byte', () => {
    // One block per row (blockSize 4 ≥ cols 3): s = max|v| / 7.
    const m = Q4Matrix.fromFloat32(2, 3, Float32Array.from([3.5, -1.75, 0.5, /* row 2 */ -1.4, 0, 1.4]), 4);
    expect(Array.from(m.scales)).toEqual([0.5, Math.fround(Math.fround(1.4) / 7)]);
    // row 1: q = 7, -4 (−3.5 rounds half away from zero), 1 → bytes [0x7 | 0xC << 4, 0x1]; row 2: −7, 0, 7 → [0x9, 0x7]
    expect(Array.from(m.data)).toEqual([0xc7, 0x01, 0x09, 0x07]);
    expect(m.byteLength).toBe(4 + 8);
    const s2 = m.scales[1];
    expect(Array.from(m.toFloat32())).toEqual([3.5, -2, 0.5, Math.fround(-7 * s2), 0, Math.fround(7 * s2)]);
  });

  it('multiplyInto equals the dequantized matrix times x, for odd and even widths and several block sizes', () => {
    for (const cols of [1, 7, 32, 45]) {
      const rows = 5;
      const values = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 2.1) * (1 + (i % 4)));
      const x = Float32Array.from({ length: cols + 2 }, (_, i) => Math.cos(i * 0.7));
      const bias = Float32Array.from({ length: rows }, (_, r) => r * 0.5);
      for (const blockSize of [2, 8, 32]) {
        const m = Q4Matrix.fromFloat32(rows, cols, values, blockSize);
        const dense = m.toFloat32();
        const out = m.multiplyInto(new Float32Array(rows), x, 2, bias);
        for (let r = 0; r < rows; r++) {
          let sum = bias[r];
          for (let c = 0; c < cols; c++) sum += dense[r * cols + c] * x[2 + c];
          expect(out[r], `cols ${cols}, block ${blockSize}, row ${r}`).toBeCloseTo(sum, 4);
        }
        // Each weight is within half a step of the original.
        for (let i = 0; i < values.length; i++) {
          const r = Math.floor(i / cols);
          const scale = m.scales[r * m.blocksPerRow + Math.floor((i % cols) / blockSize)];
          expect(Math.abs(dense[i] - values[i])).toBeLessThanOrEqual(scale / 2 + 1e-6);
        }
      }
    }
  });

  it('decodes every nibble value, −8 included, through the kernel', () => {
    const data = Uint8Array.from({ length: 8 }, (_, i) => (2 * i) | ((2 * i + 1) << 4)); // nibbles 0 … 15 in order
    const m = new Q4Matrix(1, 16, data, Float32Array.from([1]), 16);
    expect(Array.from(m.toFloat32())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1]);
    const x = new Float32Array(16).fill(1);
    expect(q4MatVecInto(new Float32Array(1), data, Float32Array.from([0.5]), 1, 16, 16, x, 0, null)[0]).toBe(-4);
  });

  it('gives an all-zero block the scale 1, and rejects an odd block size and wrong lengths', () => {
    expect(Array.from(Q4Matrix.fromFloat32(1, 4, new Float32Array(4), 2).scales)).toEqual([1, 1]);
    expect(() => new Q4Matrix(1, 4, new Uint8Array(2), new Float32Array(1), 3)).toThrow(RangeError);
    expect(() => new Q4Matrix(1, 5, new Uint8Array(2), new Float32Array(1), 32)).toThrow(RangeError);
    expect(() => new Q4Matrix(1, 4, new Uint8Array(2), new Float32Array(2), 32)).toThrow(RangeError);
  });

  it('findNonFinite reports the first element of a block with a non-finite scale', () => {
    expect(new Q4Matrix(2, 4, new Uint8Array(4), Float32Array.from([1, 1, Infinity, 1]), 2).findNonFinite()).toBe(4);
    expect(Q4Matrix.fromFloat32(2, 4, new Float32Array(8).fill(1), 2).findNonFinite()).toBe(-1);
  });
});
