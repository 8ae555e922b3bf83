import { describe, expect, it } from 'vitest';
import { F32Matrix, Q4Matrix, Q8Matrix, SeededRandom, type WeightMatrix } from '../../src/index.ts';

// WeightMatrix.multiplyBlockInto (what a GRU multiplies its input and hidden
// columns with) against the block's product computed from the matrix's own
// f32 values in f64, for every storage type, with blocks that start on odd
// columns and straddle scale blocks.
function reference(matrix: WeightMatrix, x: Float32Array, xOffset: number, rowStart: number, rowCount: number, colStart: number, colCount: number): Float64Array {
  const values = matrix.toFloat32();
  const out = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    for (let k = 0; k < colCount; k++) out[i] += values[(rowStart + i) * matrix.cols + colStart + k] * x[xOffset + k];
  }
  return out;
}

describe('multiplyBlockInto', () => {
  const rows = 23;
  const cols = 37;
  const random = new SeededRandom(5);
  const values = Float32Array.from({ length: rows * cols }, () => random.uniform(-1, 1));
  const matrices: [string, WeightMatrix][] = [
    ['f32', new F32Matrix(rows, cols, values)],
    ['q8 per row', Q8Matrix.fromFloat32(rows, cols, values)],
    ['q8 blocks of 8', Q8Matrix.fromFloat32(rows, cols, values, 8)],
    ['q4 blocks of 32', Q4Matrix.fromFloat32(rows, cols, values)],
    ['q4 blocks of 6', Q4Matrix.fromFloat32(rows, cols, values, 6)],
  ];
  const blocks = [
    [0, rows, 0, cols],
    [0, 17, 0, 11],
    [0, 17, 11, 26],
    [5, 9, 13, 7],
    [22, 1, 36, 1],
    [3, 8, 1, 33],
  ];
  it.each(matrices)('%s: every block, written at an offset, within f32 rounding of the f64 product; nothing else touched', (_, matrix) => {
    for (const [rowStart, rowCount, colStart, colCount] of blocks) {
      const x = Float32Array.from({ length: colCount + 3 }, () => random.uniform(-2, 2));
      const out = new Float32Array(rowCount + 4).fill(99);
      expect(matrix.multiplyBlockInto(out, 2, x, 3, rowStart, rowCount, colStart, colCount)).toBe(out);
      const expected = reference(matrix, x, 3, rowStart, rowCount, colStart, colCount);
      for (let i = 0; i < rowCount; i++) expect(Math.abs(out[2 + i] - expected[i])).toBeLessThan(1e-5);
      expect([out[0], out[1], out[rowCount + 2], out[rowCount + 3]]).toEqual([99, 99, 99, 99]);
    }
  });
});
