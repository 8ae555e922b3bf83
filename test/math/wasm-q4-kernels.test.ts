import { describe, expect, it } from 'vitest';
import { ElmanCell, LstmCell, Q4Matrix, SeededRandom } from '../../src/index.ts';
import { q4MatVecInto } from '../../src/math/q4-matvec.ts';
import { Q4MatVecKernel } from '../../src/math/wasm/q4-matvec-kernel.ts';
import { LayerKernelKind, RecurrentLayerKernel } from '../../src/math/wasm/recurrent-layer-kernel.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { randomArray } from '../helpers/random-arrays.ts';

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** The kernel's parts of a Q4Matrix as it holds them (rows packed back to back). */
function partsOf(matrix: Q4Matrix) {
  return { rows: matrix.rows, cols: matrix.cols, blockSize: matrix.blockSize, data: matrix.data, dataRowStride: (matrix.cols + 1) >> 1, scales: matrix.scales };
}

describe('WebAssembly 4-bit kernels', () => {
  // rows, cols, block: rows not a multiple of 4, columns odd or short of a chunk, one block per row, blocks of 32 and 64.
  const shapes: [number, number, number][] = [
    [1, 1, 32],
    [3, 17, 32],
    [5, 40, 32],
    [8, 64, 32],
    [9, 100, 64],
    [13, 33, 32],
    [7, 96, 96],
    [6, 20, 64],
    [64, 512, 32],
  ];

  it.each(shapes)('matvec_q4 in f32 (rows %i, cols %i, block %i) equals the TypeScript q4 kernel to f32 rounding', (rows, cols, block) => {
    const random = new SeededRandom(rows * 1000 + cols);
    const matrix = Q4Matrix.fromFloat32(rows, cols, randomArray(random, rows * cols, 0.5), block);
    const bias = randomArray(random, rows, 0.5);
    const x = randomArray(random, cols, 2);
    const expected = q4MatVecInto(new Float32Array(rows), matrix.data, matrix.scales, rows, cols, block, x, 0, bias);
    const kernel = Q4MatVecKernel.create(partsOf(matrix), bias, 'float');
    expect(kernel).not.toBeNull();
    const got = kernel!.multiplyInto(new Float32Array(rows), x);
    expect(maxAbsDiff(got, expected)).toBeLessThan(2e-6 * Math.max(1, maxAbs(expected)));
  });

  it.each(shapes)('matvec_q4 with int16 activations (rows %i, cols %i, block %i) is within 1e-4 of the TypeScript q4 kernel', (rows, cols, block) => {
    const random = new SeededRandom(rows * 7 + cols);
    const matrix = Q4Matrix.fromFloat32(rows, cols, randomArray(random, rows * cols, 0.5), block);
    const bias = randomArray(random, rows, 0.5);
    const x = randomArray(random, cols, 2);
    const expected = q4MatVecInto(new Float32Array(rows), matrix.data, matrix.scales, rows, cols, block, x, 0, bias);
    const got = Q4MatVecKernel.create(partsOf(matrix), bias, 'integer')!.multiplyInto(new Float32Array(rows), x);
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4 * Math.max(1, maxAbs(expected)));
  });

  it('reads every nibble from −8 to 7 in both halves of a byte, against hand-computed sums', () => {
    // Row 0: nibble value v at column c = (c mod 16) − 8; row 1: the negation where it fits; scales 1 and 0.5.
    const cols = 32;
    const data = new Uint8Array(2 * 16);
    const value = (r: number, c: number) => (r === 0 ? (c % 16) - 8 : Math.min(7, 8 - (c % 16)));
    for (let r = 0; r < 2; r++) for (let c = 0; c < cols; c++) data[r * 16 + (c >> 1)] |= (value(r, c) & 15) << ((c & 1) * 4);
    const matrix = new Q4Matrix(2, cols, data, Float32Array.from([1, 0.5]), 32);
    const x = Float32Array.from({ length: cols }, (_, c) => c + 1);
    const expected = [0, 1].map((r) => {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += value(r, c) * (c + 1);
      return sum * (r === 0 ? 1 : 0.5);
    });
    for (const mode of ['float', 'integer'] as const) {
      const got = Q4MatVecKernel.create(partsOf(matrix), null, mode)!.multiplyInto(new Float32Array(2), x);
      expect(Math.abs(got[0] - expected[0])).toBeLessThan(mode === 'float' ? 1e-4 : 0.05);
      expect(Math.abs(got[1] - expected[1])).toBeLessThan(mode === 'float' ? 1e-4 : 0.05);
    }
    // By hand: row 0 Σ(k − 8)(k + 1) + Σ(k − 8)(k + 17) over k < 16 = 272 + 144; row 1 (−273 − 161) · 0.5.
    expect(expected).toEqual([416, -217]);
  });

  it('a zero input vector gives exactly the bias', () => {
    const matrix = Q4Matrix.fromFloat32(6, 40, Float32Array.from({ length: 240 }, (_, i) => i / 100));
    const bias = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const got = Q4MatVecKernel.create(partsOf(matrix), bias, 'integer')!.multiplyInto(new Float32Array(6), new Float32Array(40));
    expect(Array.from(got)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('declines scale blocks that are not multiples of 32 columns (the TypeScript kernel runs them)', () => {
    const matrix = Q4Matrix.fromFloat32(4, 64, new Float32Array(256).fill(0.5), 16);
    expect(Q4MatVecKernel.create(partsOf(matrix), null, 'integer')).toBeNull();
  });

  it.each([
    ['float', 1e-6],
    ['integer', 2e-4],
  ] as const)('a 4-bit LSTM layer step (%s) follows LstmCell on the same Q4Matrix over 40 steps (I + H = 60: a padded chunk)', (mode, tolerance) => {
    const I = 24;
    const H = 36;
    const random = new SeededRandom(77);
    const bound = 1 / Math.sqrt(H);
    const weight = Q4Matrix.fromFloat32(4 * H, I + H, randomArray(random, 4 * H * (I + H), bound));
    const bias = randomArray(random, 4 * H, bound);
    const cell = new LstmCell(I, H, weight, bias);
    const kernel = RecurrentLayerKernel.fromQ4(LayerKernelKind.Lstm, I, H, partsOf(weight), bias, mode)!;
    const h = [new Float32Array(H), new Float32Array(H)];
    const c = [new Float32Array(H), new Float32Array(H)];
    const xh = new Float32Array(I + H);
    let worst = 0;
    for (let t = 0; t < 40; t++) {
      const x = randomArray(random, I, 1.5);
      xh.set(x);
      xh.set(h[0], I);
      cell.stepInto(h[0], c[0], xh, new Float32Array(4 * H));
      kernel.stepInto(h[1], c[1], x);
      worst = Math.max(worst, maxAbsDiff(h[0], h[1]), maxAbsDiff(c[0], c[1]));
    }
    expect(worst).toBeLessThan(tolerance);
    expect(maxAbs(h[1])).toBeGreaterThan(0.01);
  });

  it('a 4-bit Elman layer step (ReLU, float mode; blocks of 64) follows ElmanCell', () => {
    const I = 50;
    const H = 78;
    const random = new SeededRandom(3);
    const weight = Q4Matrix.fromFloat32(H, I + H, randomArray(random, H * (I + H), 0.2), 64);
    const bias = randomArray(random, H, 0.2);
    const cell = new ElmanCell(I, H, weight, bias, 'relu');
    const kernel = RecurrentLayerKernel.fromQ4(LayerKernelKind.RnnRelu, I, H, partsOf(weight), bias, 'float')!;
    const h0 = new Float32Array(H);
    const h1 = new Float32Array(H);
    const xh = new Float32Array(I + H);
    let worst = 0;
    for (let t = 0; t < 20; t++) {
      const x = randomArray(random, I, 1);
      xh.set(x);
      xh.set(h0, I);
      cell.stepInto(h0, null, xh, new Float32Array(H));
      kernel.stepInto(h1, null, x);
      worst = Math.max(worst, maxAbsDiff(h0, h1));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(maxAbs(h1)).toBeGreaterThan(0.01);
  });
});
