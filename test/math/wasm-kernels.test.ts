import { describe, expect, it } from 'vitest';
import { ElmanCell, F32Matrix, LstmCell, matVecInto, SeededRandom, wasmSimdSupported } from '../../src/index.ts';
import { MatVecKernel } from '../../src/math/wasm/matvec-kernel.ts';
import { LayerKernelKind, RecurrentLayerKernel } from '../../src/math/wasm/recurrent-layer-kernel.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { randomArray } from '../helpers/random-arrays.ts';

describe('WebAssembly SIMD kernels', () => {
  it('are available on this runtime (Node, Deno and Bun all have 128-bit SIMD)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it('matvec agrees with the TypeScript matVecInto for every row and column remainder mod 4 and 8', () => {
    const random = new SeededRandom(5);
    let worst = 0;
    for (let rows = 1; rows <= 9; rows++) {
      for (const cols of [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 33, 100]) {
        const W = randomArray(random, rows * cols, 1);
        const bias = randomArray(random, rows, 1);
        const x = randomArray(random, cols, 1);
        const expected = matVecInto(new Float32Array(rows), W, rows, cols, x, 0, bias);
        const kernel = new MatVecKernel(rows, cols, W, bias);
        const got = kernel.multiplyInto(new Float32Array(rows), x);
        worst = Math.max(worst, maxAbsDiff(got, expected));
      }
    }
    // f32 sums of up to 100 products of magnitude ≤ 1 in another order.
    expect(worst).toBeLessThan(2e-6);
    expect(worst).toBeGreaterThanOrEqual(0);
    // 135 kernels, each its own WebAssembly memory and instance: seconds on a loaded machine (Bun's default limit is 5 s).
  }, 30_000);

  it('matvec without a bias adds zeros, and rows are exact for one-hot inputs', () => {
    const W = Float32Array.from({ length: 6 * 5 }, (_, i) => i * 0.5);
    const kernel = new MatVecKernel(6, 5, W, null);
    const x = new Float32Array(5);
    x[3] = 1;
    expect(Array.from(kernel.multiplyInto(new Float32Array(6), x))).toEqual([1.5, 4, 6.5, 9, 11.5, 14]);
  });

  it.each([
    [1, 1],
    [3, 5],
    [8, 4],
    [13, 7],
    [64, 64],
    [20, 130],
  ])('an LSTM layer step (I = %i, H = %i) matches LstmCell within 1e-6 over 50 steps', (I, H) => {
    const random = new SeededRandom(I * 100 + H);
    const bound = 1 / Math.sqrt(H);
    const W = randomArray(random, 4 * H * (I + H), bound);
    const bias = randomArray(random, 4 * H, bound);
    const cell = new LstmCell(I, H, new F32Matrix(4 * H, I + H, W), bias);
    const kernel = RecurrentLayerKernel.fromF32(LayerKernelKind.Lstm, I, H, W, bias);
    const h = [new Float32Array(H), new Float32Array(H)];
    const c = [new Float32Array(H), new Float32Array(H)];
    const xh = new Float32Array(I + H);
    const gates = new Float32Array(4 * H);
    let worst = 0;
    for (let t = 0; t < 50; t++) {
      const x = randomArray(random, I, 2);
      xh.set(x);
      xh.set(h[0], I);
      cell.stepInto(h[0], c[0], xh, gates);
      kernel.stepInto(h[1], c[1], x);
      worst = Math.max(worst, maxAbsDiff(h[0], h[1]), maxAbsDiff(c[0], c[1]));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(h[1].some((v) => v !== 0)).toBe(true);
  });

  it.each(['rnn-tanh', 'rnn-relu'] as const)('an Elman layer step (%s) matches ElmanCell within 1e-6', (kind) => {
    const random = new SeededRandom(kind.length);
    const I = 6;
    const H = 11;
    const W = randomArray(random, H * (I + H), 0.5);
    const bias = randomArray(random, H, 0.5);
    const cell = new ElmanCell(I, H, new F32Matrix(H, I + H, W), bias, kind === 'rnn-relu' ? 'relu' : 'tanh');
    const kernel = RecurrentLayerKernel.fromF32(kind === 'rnn-relu' ? LayerKernelKind.RnnRelu : LayerKernelKind.RnnTanh, I, H, W, bias);
    const h0 = new Float32Array(H);
    const h1 = new Float32Array(H);
    const xh = new Float32Array(I + H);
    const scratch = new Float32Array(H);
    let worst = 0;
    for (let t = 0; t < 30; t++) {
      const x = randomArray(random, I, 1);
      xh.set(x);
      xh.set(h0, I);
      cell.stepInto(h0, null, xh, scratch);
      kernel.stepInto(h1, null, x);
      worst = Math.max(worst, maxAbsDiff(h0, h1));
    }
    expect(worst).toBeLessThan(1e-6);
    if (kind === 'rnn-relu') expect(h1.some((v) => v === 0)).toBe(true);
  });

  it('saturates sigmoid and tanh cleanly at huge pre-activations (no NaN, no Infinity)', () => {
    // One unit, no input weights: the gates are exactly the bias.
    const H = 5;
    const I = 1;
    for (const value of [-1e30, -1e4, -90, -88, -20, 0, 20, 88, 90, 1e4, 1e30]) {
      const W = new Float32Array(4 * H * (I + H));
      const bias = new Float32Array(4 * H).fill(value);
      const cell = new LstmCell(I, H, new F32Matrix(4 * H, I + H, W), bias);
      const kernel = RecurrentLayerKernel.fromF32(LayerKernelKind.Lstm, I, H, W, bias);
      const h = [new Float32Array(H), new Float32Array(H)];
      const c = [new Float32Array(H).fill(0.5), new Float32Array(H).fill(0.5)];
      for (let t = 0; t < 3; t++) {
        cell.stepInto(h[0], c[0], new Float32Array(I + H), new Float32Array(4 * H));
        kernel.stepInto(h[1], c[1], new Float32Array(I));
        expect(maxAbsDiff(h[0], h[1]), `bias ${value}`).toBeLessThan(1e-6);
        expect(maxAbsDiff(c[0], c[1]), `bias ${value}`).toBeLessThan(1e-6);
      }
    }
  });
});
