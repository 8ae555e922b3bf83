import { describe, expect, it } from 'vitest';
import { ElmanCell, LstmCell, Q8Matrix, SeededRandom } from '../../src/index.ts';
import { q8MatVecInto } from '../../src/math/q8-matvec.ts';
import { Q8MatVecKernel } from '../../src/math/wasm/q8-matvec-kernel.ts';
import { LayerKernelKind, RecurrentLayerKernel } from '../../src/math/wasm/recurrent-layer-kernel.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { randomArray } from '../helpers/random-arrays.ts';

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

describe('WebAssembly int8 kernels', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 17, 17],
    [5, 40, 40],
    [8, 64, 32],
    [9, 100, 16],
    [13, 33, 32],
    [64, 512, 512],
  ];

  it.each(shapes)('matvec_q8_float (rows %i, cols %i, block %i) equals the TypeScript q8 kernel to f32 rounding', (rows, cols, block) => {
    const random = new SeededRandom(rows * 1000 + cols);
    const matrix = Q8Matrix.fromFloat32(rows, cols, randomArray(random, rows * cols, 0.5), block);
    const bias = randomArray(random, rows, 0.5);
    const x = randomArray(random, cols, 2);
    const expected = q8MatVecInto(new Float32Array(rows), matrix.data, matrix.scales, rows, cols, matrix.blockSize, x, 0, bias);
    const kernel = Q8MatVecKernel.create(matrix, bias, 'float');
    expect(kernel).not.toBeNull();
    const got = kernel!.multiplyInto(new Float32Array(rows), x);
    expect(maxAbsDiff(got, expected)).toBeLessThan(2e-6 * Math.max(1, maxAbs(expected)));
  });

  it.each(shapes)('matvec_q8 with int16 activations (rows %i, cols %i, block %i) is within 1e-4 of the TypeScript q8 kernel', (rows, cols, block) => {
    const random = new SeededRandom(rows * 7 + cols);
    const matrix = Q8Matrix.fromFloat32(rows, cols, randomArray(random, rows * cols, 0.5), block);
    const bias = randomArray(random, rows, 0.5);
    const x = randomArray(random, cols, 2);
    const expected = q8MatVecInto(new Float32Array(rows), matrix.data, matrix.scales, rows, cols, matrix.blockSize, x, 0, bias);
    const got = Q8MatVecKernel.create(matrix, bias, 'integer')!.multiplyInto(new Float32Array(rows), x);
    // x is rounded to 1/32767 of its largest magnitude: an error of at most
    // Σ|w|·max|x|/65534 per output, far below the int8 weights' own error.
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4 * Math.max(1, maxAbs(expected)));
  });

  it('a zero input vector gives exactly the bias', () => {
    const matrix = Q8Matrix.fromFloat32(6, 20, Float32Array.from({ length: 120 }, (_, i) => i / 100));
    const bias = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const got = Q8MatVecKernel.create(matrix, bias, 'integer')!.multiplyInto(new Float32Array(6), new Float32Array(20));
    expect(Array.from(got)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('declines scale blocks that are not multiples of 16 columns (the TypeScript kernel runs them)', () => {
    const matrix = Q8Matrix.fromFloat32(4, 40, new Float32Array(160).fill(0.5), 10);
    expect(Q8MatVecKernel.create(matrix, null, 'integer')).toBeNull();
  });

  it.each([
    ['float', 1e-6],
    ['integer', 2e-4],
  ] as const)('an int8 LSTM layer step (%s) follows LstmCell on the same Q8Matrix over 40 steps', (mode, tolerance) => {
    const I = 24;
    const H = 36;
    const random = new SeededRandom(77);
    const bound = 1 / Math.sqrt(H);
    const weight = Q8Matrix.fromFloat32(4 * H, I + H, randomArray(random, 4 * H * (I + H), bound));
    const bias = randomArray(random, 4 * H, bound);
    const cell = new LstmCell(I, H, weight, bias);
    const kernel = RecurrentLayerKernel.fromQ8(LayerKernelKind.Lstm, I, H, weight, bias, mode)!;
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

  it('an int8 Elman layer step (ReLU, float mode) follows ElmanCell', () => {
    const I = 5;
    const H = 20;
    const random = new SeededRandom(3);
    const weight = Q8Matrix.fromFloat32(H, I + H, randomArray(random, H * (I + H), 0.4));
    const bias = randomArray(random, H, 0.4);
    const cell = new ElmanCell(I, H, weight, bias, 'relu');
    const kernel = RecurrentLayerKernel.fromQ8(LayerKernelKind.RnnRelu, I, H, weight, bias, 'float')!;
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
  });

  it('f32 and int8 layer kernels agree to the quantization error on the same weights', () => {
    const I = 16;
    const H = 16;
    const random = new SeededRandom(12);
    const values = randomArray(random, 4 * H * (I + H), 0.25);
    const bias = randomArray(random, 4 * H, 0.25);
    const f32 = RecurrentLayerKernel.fromF32(LayerKernelKind.Lstm, I, H, values, bias);
    const q8 = RecurrentLayerKernel.fromQ8(LayerKernelKind.Lstm, I, H, Q8Matrix.fromFloat32(4 * H, I + H, values), bias, 'integer')!;
    const h = [new Float32Array(H), new Float32Array(H)];
    const c = [new Float32Array(H), new Float32Array(H)];
    const x = randomArray(random, I, 1);
    f32.stepInto(h[0], c[0], x);
    q8.stepInto(h[1], c[1], x);
    const difference = maxAbsDiff(h[0], h[1]);
    expect(difference).toBeGreaterThan(0);
    expect(difference).toBeLessThan(0.01);
  });
});
