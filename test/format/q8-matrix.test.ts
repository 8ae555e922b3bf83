import { describe, expect, it } from 'vitest';
import { Q8Matrix, q8MatVecInto } from '../../src/index.ts';

describe('Q8Matrix', () => {
  it('quantizes symmetrically per row: max |v| maps to ±127, q = v/s rounded half away from zero', () => {
    const values = Float32Array.from([1.27, -0.635, 0.005, 0, /* row 2 */ -2.54, 0.01, 0.03, 1]);
    const m = Q8Matrix.fromFloat32(2, 4, values);
    expect(m.blockSize).toBe(4);
    expect(m.blocksPerRow).toBe(1);
    expect(Array.from(m.scales)).toEqual([Math.fround(1.27 / 127), Math.fround(2.54 / 127)]);
    // 0.635 / 0.01 = 63.5 → -64 (half away from zero); 0.005/0.01 = 0.5 → 1
    expect(Array.from(m.data)).toEqual([127, -64, 1, 0, -127, 1, 2, 50]); // 0.03 / 0.02 = 1.5 → 2
    expect(m.byteLength).toBe(8 + 2 * 4);
    expect(m.dtype).toBe('q8');
  });

  it('gives an all-zero block the scale 1 (a zero scale is invalid in a file) and never writes -128', () => {
    const m = Q8Matrix.fromFloat32(2, 3, Float32Array.from([0, 0, 0, -5, 5, 4.99]));
    expect(Array.from(m.scales)).toEqual([1, Math.fround(5 / 127)]);
    expect(Array.from(m.data)).toEqual([0, 0, 0, -127, 127, 127]);
  });

  it('keeps one scale per block of blockSize columns, the last block shorter', () => {
    const values = Float32Array.from([1, 2, 3, 4, 5, 100, 0.5, -1, -2, -3]); // 1 row, blocks [1..4], [5,100,0.5,-1], [-2,-3]
    const m = Q8Matrix.fromFloat32(1, 10, values, 4);
    expect(m.blocksPerRow).toBe(3);
    expect(Array.from(m.scales)).toEqual([Math.fround(4 / 127), Math.fround(100 / 127), Math.fround(3 / 127)]);
    expect(Array.from(m.data)).toEqual([32, 64, 95, 127, 6, 127, 1, -1, -85, -127]);
  });

  it('multiplyInto equals the dequantized matrix times x, for per-row and block scales, with and without bias', () => {
    const rows = 7;
    const cols = 45;
    const values = new Float32Array(rows * cols);
    for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * 1.7) * (1 + (i % 5));
    const x = new Float32Array(cols + 3);
    for (let i = 0; i < x.length; i++) x[i] = Math.cos(i * 0.3);
    const bias = Float32Array.from({ length: rows }, (_, r) => r - 3);
    for (const blockSize of [cols, 32, 8, 1]) {
      const m = Q8Matrix.fromFloat32(rows, cols, values, blockSize);
      for (const b of [null, bias]) {
        const out = new Float32Array(rows);
        expect(m.multiplyInto(out, x, 3, b)).toBe(out);
        for (let r = 0; r < rows; r++) {
          // Reference in f64 from the stored integers and scales.
          let sum = b === null ? 0 : b[r];
          for (let c = 0; c < cols; c++) sum += m.data[r * cols + c] * m.scales[r * m.blocksPerRow + Math.floor(c / m.blockSize)] * x[3 + c];
          expect(out[r]).toBeCloseTo(sum, 4);
        }
      }
    }
  });

  it('approximates the f32 product within the quantization bound', () => {
    const rows = 16;
    const cols = 64;
    const values = new Float32Array(rows * cols);
    for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * 12.9898) * 0.3;
    const x = Float32Array.from({ length: cols }, (_, i) => Math.cos(i));
    const m = Q8Matrix.fromFloat32(rows, cols, values);
    const out = m.multiplyInto(new Float32Array(rows), x, 0, null);
    for (let r = 0; r < rows; r++) {
      let exact = 0;
      let bound = 0;
      for (let c = 0; c < cols; c++) {
        exact += values[r * cols + c] * x[c];
        bound += (m.scales[r] / 2) * Math.abs(x[c]); // each weight is off by at most half a step
      }
      expect(Math.abs(out[r] - exact)).toBeLessThanOrEqual(bound + 1e-6);
    }
  });

  it('rowInto dequantizes one row at an offset; toFloat32 dequantizes all', () => {
    const m = new Q8Matrix(2, 3, Int8Array.from([1, -2, 3, 127, 0, -127]), Float32Array.from([0.5, 0.25, 2, 1]), 2);
    const out = new Float32Array(5);
    m.rowInto(out, 1, 1);
    expect(Array.from(out)).toEqual([0, 127 * 2, 0, -127, 0]);
    expect(Array.from(m.toFloat32())).toEqual([0.5, -1, 0.75, 254, 0, -127]);
  });

  it('findNonFinite reports the first element of a block with a non-finite scale', () => {
    expect(Q8Matrix.fromFloat32(2, 4, new Float32Array(8).fill(1)).findNonFinite()).toBe(-1);
    const m = new Q8Matrix(2, 4, new Int8Array(8), Float32Array.from([1, 1, 1, NaN]), 2);
    expect(m.findNonFinite()).toBe(6);
  });

  it('rejects inconsistent construction with RangeError', () => {
    expect(() => new Q8Matrix(2, 2, new Int8Array(3), new Float32Array(2))).toThrow(RangeError);
    expect(() => new Q8Matrix(2, 2, new Int8Array(4), new Float32Array(3))).toThrow(RangeError);
    expect(() => new Q8Matrix(2, 2, new Int8Array(4), new Float32Array(2), 0)).toThrow(RangeError);
  });

  it('the kernel is usable on its own arrays (for the WebAssembly kernel to compare against)', () => {
    const out = q8MatVecInto(new Float32Array(1), Int8Array.from([2, -3]), Float32Array.from([0.5]), 1, 2, 2, Float32Array.from([10, 1]), 0, Float32Array.from([1]));
    expect(out[0]).toBe(1 + 0.5 * (20 - 3));
  });

  it('reads rows a stride apart: q8MatVecInto with rowStride, and a matrix that adopted padded rows, match the compact layout exactly', () => {
    // 2 × 3 int8 rows [2, -3, 1] and [-1, 4, 5], stored 5 apart with junk in the padding.
    const padded = Int8Array.from([2, -3, 1, 99, -99, -1, 4, 5, 77, -77]);
    const scales = Float32Array.from([0.5, 0.25]);
    const x = Float32Array.from([10, 1, -2]);
    const out = q8MatVecInto(new Float32Array(2), padded, scales, 2, 3, 3, x, 0, Float32Array.from([1, -1]), 5);
    expect(Array.from(out)).toEqual([1 + 0.5 * (20 - 3 - 2), -1 + 0.25 * (-10 + 4 - 10)]);
    // Blocks of 2 columns (two scales a row) go through the blocked loop.
    const blocked = q8MatVecInto(new Float32Array(2), padded, Float32Array.from([0.5, 2, 0.25, 4]), 2, 3, 2, x, 0, null, 5);
    expect(Array.from(blocked)).toEqual([0.5 * (20 - 3) + 2 * -2, 0.25 * (-10 + 4) + 4 * -10]);
    const matrix = new Q8Matrix(2, 3, Int8Array.from([2, -3, 1, -1, 4, 5]), scales);
    const compact = { product: Array.from(matrix.multiplyInto(new Float32Array(2), x, 0, null)), block: Array.from(matrix.multiplyBlockInto(new Float32Array(2), 0, x, 0, 0, 2, 1, 2)), row: Array.from(matrix.rowInto(new Float32Array(3), 0, 1)) };
    matrix.adoptStorage(padded, 5);
    expect(Array.from(matrix.multiplyInto(new Float32Array(2), x, 0, null))).toEqual(compact.product);
    expect(Array.from(matrix.multiplyBlockInto(new Float32Array(2), 0, x, 0, 0, 2, 1, 2))).toEqual(compact.block);
    expect(Array.from(matrix.rowInto(new Float32Array(3), 0, 1))).toEqual(compact.row);
    expect(Array.from(matrix.data)).toEqual([2, -3, 1, -1, 4, 5]);
    expect(matrix.byteLength).toBe(10 + 8);
    // Too short for 2 rows 5 apart, or rows closer than cols: RangeError.
    expect(() => matrix.adoptStorage(padded.subarray(0, 7), 5)).toThrow(RangeError);
    expect(() => matrix.adoptStorage(padded, 2)).toThrow(RangeError);
  });
});
