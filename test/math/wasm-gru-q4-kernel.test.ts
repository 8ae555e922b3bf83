import { afterEach, describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, GruCell, Q4Matrix, SeededRandom, setKernelBackend, setQ8KernelMode, type Architecture, type Model } from '../../src/index.ts';
import { GruLayerKernel } from '../../src/math/wasm/gru-layer-kernel.ts';
import type { Q4Parts } from '../../src/math/wasm/q4-packing.ts';
import { stepKernelsFor } from '../../src/model/step-kernels.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { randomArray } from '../helpers/random-arrays.ts';

// GruLayerKernel.fromQ4 (the 4-bit GRU on matvec_q4, gru-q4-products.ts)
// against the TypeScript GruCell on the same Q4Matrix: the expected h comes
// from the cell's own 4-bit kernel (q4MatVecBlockInto), never from WebAssembly.
// 'float' widens the nibbles to f32, so only summation order differs (seen:
// ≤ 4e-7); 'integer' adds the int16 quantization of x, h and r ⊙ h, one scale
// per product (seen: ≤ 7e-5 over 30 steps).

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * The kernel's parts of a Q4Matrix, rows `extraBytes` further apart than
 * the matrix packs them, the gap filled with 0xFF: a kernel that read past a
 * row's own nibbles (or ignored the stride) would pick up −1 weights.
 */
function partsOf(matrix: Q4Matrix, extraBytes = 0): Q4Parts {
  const rowBytes = (matrix.cols + 1) >> 1;
  const stride = rowBytes + extraBytes;
  const data = new Uint8Array(matrix.rows * stride).fill(0xff);
  for (let r = 0; r < matrix.rows; r++) data.set(matrix.data.subarray(r * rowBytes, (r + 1) * rowBytes), r * stride);
  return { rows: matrix.rows, cols: matrix.cols, blockSize: matrix.blockSize, data, dataRowStride: stride, scales: matrix.scales };
}

interface Layer {
  readonly cell: GruCell;
  readonly weight: Q4Matrix;
  readonly bias: Float32Array;
}

function randomLayer(I: number, H: number, blockSize: number, resetAfter: boolean, hard: boolean, seed: number): Layer {
  const random = new SeededRandom(seed);
  // Weights past the usual 1/√H init so the gates and candidates leave their linear range.
  const bound = 2 / Math.sqrt(H);
  const weight = Q4Matrix.fromFloat32(3 * H, I + H, randomArray(random, 3 * H * (I + H), bound), blockSize);
  const bias = randomArray(random, 6 * H, bound);
  const cell = new GruCell(I, H, weight, bias, resetAfter ? 'reset-after' : 'reset-before', hard ? 'hard-sigmoid' : 'sigmoid');
  return { cell, weight, bias };
}

/** Largest |h_kernel − h_cell| over `steps` random inputs, both from h = 0; also the final h's size. */
function compare(layer: Layer, kernel: GruLayerKernel, steps: number, seed: number): { worst: number; size: number } {
  const { cell } = layer;
  const I = cell.inputSize;
  const H = cell.hiddenSize;
  const random = new SeededRandom(seed);
  const expected = new Float32Array(H);
  const got = new Float32Array(H);
  const xh = new Float32Array(I + H);
  const gates = new Float32Array(7 * H);
  let worst = 0;
  for (let t = 0; t < steps; t++) {
    const x = randomArray(random, I, 1.5);
    xh.set(x);
    xh.set(expected, I);
    cell.stepInto(expected, null, xh, gates);
    kernel.stepInto(got, null, x);
    worst = Math.max(worst, maxAbsDiff(expected, got));
  }
  return { worst, size: maxAbs(expected) };
}

describe('the 4-bit GRU layer kernel (GruLayerKernel.fromQ4)', () => {
  // I, H, block: both parts whole chunks; H short of a chunk and of a panel (rows and hidden columns padded);
  // blocks of 64; one scale per row with I and I + H odd (the hidden columns start mid-byte);
  // blocks of 16 where each part is a single block (the split and the layouts still work).
  const shapes: [number, number, number][] = [
    [32, 32, 32],
    [64, 45, 32],
    [32, 13, 32],
    [128, 70, 64],
    [7, 5, 12],
    [21, 19, 40],
    [16, 10, 16],
  ];
  const variants = [
    ['gru', true, false],
    ['gru-reset-before', false, false],
    ['gru', true, true],
    ['gru-reset-before', false, true],
  ] as const;
  const cases = shapes.flatMap(([I, H, block]) => variants.map(([kind, resetAfter, hard]) => [kind, hard ? 'hard' : 'sigmoid', I, H, block, resetAfter, hard] as const));

  it.each(cases)('%s (%s gates), I %i, H %i, blocks of %i: float mode follows GruCell within 2e-6 over 30 steps', (_kind, _gates, I, H, block, resetAfter, hard) => {
    const layer = randomLayer(I, H, block, resetAfter, hard, I * 131 + H);
    const kernel = GruLayerKernel.fromQ4(I, H, partsOf(layer.weight), layer.bias, 'float', resetAfter, hard);
    expect(kernel).toBeInstanceOf(GruLayerKernel);
    const { worst, size } = compare(layer, kernel!, 30, H);
    expect(worst).toBeLessThan(2e-6);
    expect(size).toBeGreaterThan(0.05);
  });

  it.each(cases)('%s (%s gates), I %i, H %i, blocks of %i: integer mode follows GruCell within 3e-4 over 30 steps', (_kind, _gates, I, H, block, resetAfter, hard) => {
    const layer = randomLayer(I, H, block, resetAfter, hard, I * 17 + H);
    const kernel = GruLayerKernel.fromQ4(I, H, partsOf(layer.weight), layer.bias, 'integer', resetAfter, hard);
    expect(kernel).toBeInstanceOf(GruLayerKernel);
    const { worst, size } = compare(layer, kernel!, 30, I);
    expect(worst).toBeLessThan(3e-4);
    expect(size).toBeGreaterThan(0.05);
  });

  it.each(['float', 'integer'] as const)('reads rows by their stride and nothing past a row (%s mode)', (mode) => {
    const layer = randomLayer(33, 27, 64, false, false, 5);
    const compact = GruLayerKernel.fromQ4(33, 27, partsOf(layer.weight), layer.bias, mode, false)!;
    const padded = GruLayerKernel.fromQ4(33, 27, partsOf(layer.weight, 24), layer.bias, mode, false)!;
    const random = new SeededRandom(8);
    const a = new Float32Array(27);
    const b = new Float32Array(27);
    for (let t = 0; t < 10; t++) {
      const x = randomArray(random, 33, 1);
      compact.stepInto(a, null, x);
      padded.stepInto(b, null, x);
    }
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(compare(layer, GruLayerKernel.fromQ4(33, 27, partsOf(layer.weight, 24), layer.bias, mode, false)!, 20, 3).worst).toBeLessThan(mode === 'float' ? 2e-6 : 3e-4);
  });

  it.each([
    ['blocks of 16 over a 32-column input part (not a whole 32-column chunk)', 32, 24, 16],
    ['blocks of 32 straddling the input/hidden split (I = 20)', 20, 24, 32],
    ['blocks of 64 straddling the split (I = 32)', 32, 40, 64],
    ['blocks of 48 on the hidden part (H = 60: neither one block nor whole chunks)', 48, 60, 48],
  ] as const)('declines %s: null, and the TypeScript cell runs', (_what, I, H, block) => {
    const layer = randomLayer(I, H, block, true, false, 1);
    expect(GruLayerKernel.fromQ4(I, H, partsOf(layer.weight), layer.bias, 'integer', true)).toBeNull();
    expect(GruLayerKernel.fromQ4(I, H, partsOf(layer.weight), layer.bias, 'float', false)).toBeNull();
  });
});

describe('4-bit GRU sessions', () => {
  afterEach(() => {
    setKernelBackend('auto');
    setQ8KernelMode('integer');
  });

  function modelOf(cell: 'gru' | 'gru-reset-before', inputSize: number, hiddenSize: number, blockSize?: number): Model {
    const architecture: Architecture = { cell, input: 'embedding', vocabSize: 120, inputSize, hiddenSize, numLayers: 2, head: 'softmax', outputSize: 120 };
    return decodeModel(encodeModel(createRandomModel(architecture, { seed: hiddenSize }), { dtype: 'q4', blockSize }));
  }

  /** Largest difference of h over `steps` tokens, TypeScript session against WebAssembly session. */
  function compareSessions(model: Model, steps: number): number {
    expect(setKernelBackend('typescript')).toBe('typescript');
    const reference = model.session();
    expect(setKernelBackend('wasm')).toBe('wasm');
    const fast = model.session();
    let worst = 0;
    for (let t = 0; t < steps; t++) {
      const token = (t * 37 + 11) % 120;
      reference.step(token);
      fast.step(token);
      worst = Math.max(worst, maxAbsDiff(reference.h, fast.h));
    }
    return worst;
  }

  it.each([
    ['gru', 'float', 2e-6],
    ['gru-reset-before', 'float', 2e-6],
    ['gru', 'integer', 3e-4],
    ['gru-reset-before', 'integer', 3e-4],
  ] as const)('a %s q4 model (blocks of 32, I = 32, H = 64) steps its layers on the 4-bit kernel in %s mode and follows the TypeScript session', (cell, mode, tolerance) => {
    const model = modelOf(cell, 32, 64);
    setQ8KernelMode(mode);
    const layers = stepKernelsFor(model).layers;
    expect(layers.every((kernel) => kernel instanceof GruLayerKernel)).toBe(true);
    expect(compareSessions(model, 40)).toBeLessThan(tolerance);
  });

  it('a q4 GRU whose blocks straddle the input/hidden split keeps the TypeScript cell for that layer', () => {
    // Layer 0: I = 20 (blocks of 32 straddle the split); layer 1: I = H = 32.
    const model = modelOf('gru', 20, 32);
    const layers = stepKernelsFor(model).layers;
    expect(layers[0]).toBeNull();
    expect(layers[1]).toBeInstanceOf(GruLayerKernel);
    expect(compareSessions(model, 20)).toBeLessThan(3e-4);
  });
});
