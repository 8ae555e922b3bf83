import { createCell, createRandomModel, F32Matrix, Model, setKernelBackend, type Architecture } from '../../src/index.ts';

/** One GRU model shape the parity suites run, with a seed for its weights and inputs. */
export interface GruCase {
  readonly name: string;
  readonly architecture: Architecture;
  readonly seed: number;
}

/** Steps every parity run takes, carrying the state from step to step. */
export const PARITY_STEPS = 240;

/**
 * Odd sizes (no multiple of 4), 1–3 layers, embedding and dense input, with
 * and without a head, for one GRU variant.
 */
export function gruCases(cell: 'gru' | 'gru-reset-before'): GruCase[] {
  return [
    { name: `${cell}, 1 layer, dense input 5 → H 7, no head`, seed: 3, architecture: { cell, input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 7, numLayers: 1, head: 'none', outputSize: 0 } },
    { name: `${cell}, 2 layers, dense input 11 → H 13, linear head 3`, seed: 5, architecture: { cell, input: 'dense', vocabSize: 0, inputSize: 11, hiddenSize: 13, numLayers: 2, head: 'linear', outputSize: 3 } },
    { name: `${cell}, 3 layers, embedding 41 × 9 → H 21, softmax head`, seed: 7, architecture: { cell, input: 'embedding', vocabSize: 41, inputSize: 9, hiddenSize: 21, numLayers: 3, head: 'softmax', outputSize: 41 } },
    { name: `${cell}, 1 layer, embedding 30 × 19 → H 37, no head`, seed: 9, architecture: { cell, input: 'embedding', vocabSize: 30, inputSize: 19, hiddenSize: 37, numLayers: 1, head: 'none', outputSize: 0 } },
  ];
}

/**
 * The case's model with recurrent weights spread wider than PyTorch's
 * default (±1.5/√H instead of ±1/√H), so gates leave their linear middle and
 * the state moves: a sharper test of both nonlinearities. `spread` 1 keeps
 * PyTorch's default (the scale the quantization tolerances were set on).
 */
export function modelOf(c: GruCase, spread = 1.5): Model {
  const base = createRandomModel(c.architecture, { seed: c.seed, embeddingScale: 0.8 });
  if (spread === 1) return base;
  const wider = (values: Float32Array): Float32Array => values.map((v) => spread * v);
  const layers = base.layers.map((layer) =>
    createCell(layer.kind, layer.inputSize, layer.hiddenSize, new F32Matrix(layer.weight.rows, layer.weight.cols, wider(layer.weight.toFloat32())), wider(layer.bias)),
  );
  return new Model({ embedding: base.embedding, layers, head: base.head });
}

/** Step inputs for a model: token ids, or dense rows in [-1.5, 1.5). Deterministic per seed. */
export function inputsOf(model: Model, seed: number, steps = PARITY_STEPS): { tokens: number[]; rows: Float32Array[] } {
  const a = model.architecture;
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const tokens = Array.from({ length: steps }, () => Math.floor(next() * Math.max(1, a.vocabSize)));
  const rows = Array.from({ length: steps }, () => Float32Array.from({ length: a.inputSize }, () => 3 * next() - 1.5));
  return { tokens, rows };
}

/** Our run: every step's output [steps × width] and the final h [L × H], on the given kernels. */
export function runSession(model: Model, inputs: { tokens: number[]; rows: Float32Array[] }, backend: 'wasm' | 'typescript'): { outputs: Float32Array[]; h: Float32Array } {
  setKernelBackend(backend);
  try {
    const session = model.session();
    const outputs: Float32Array[] = [];
    for (let t = 0; t < inputs.tokens.length; t++) {
      outputs.push((model.embedding !== null ? session.step(inputs.tokens[t]) : session.step(inputs.rows[t])).slice());
    }
    return { outputs, h: session.h.slice() };
  } finally {
    setKernelBackend('auto');
  }
}

/** Largest |a − b| over every step's output (a and b: [steps] rows), or Infinity on a shape mismatch. */
export function worstStep(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let t = 0; t < a.length; t++) {
    if (a[t].length !== b[t].length) return Infinity;
    for (let i = 0; i < a[t].length; i++) {
      const d = Math.abs(a[t][i] - b[t][i]);
      if (!(d <= worst)) worst = d;
    }
  }
  return worst;
}

/**
 * Our gate block j of a GRU in the z, r, h order ONNX and Keras use: their
 * z is our block 1, r our block 0, h our block 2 (ours: r, z, n).
 */
export const OUR_BLOCK_OF_ZRH = [1, 0, 2] as const;

/** A GRU layer's tensors in PyTorch's shapes (gate order r, z, n): W_ih [3H × I], W_hh [3H × H], b_ih [3H], b_hh [3H]. */
export function torchPartsOf(model: Model, l: number): { I: number; H: number; weightIh: Float32Array; weightHh: Float32Array; biasIh: Float32Array; biasHh: Float32Array } {
  const layer = model.layers[l];
  const I = layer.inputSize;
  const H = layer.hiddenSize;
  const fused = layer.weight.toFloat32();
  const weightIh = new Float32Array(3 * H * I);
  const weightHh = new Float32Array(3 * H * H);
  for (let r = 0; r < 3 * H; r++) {
    weightIh.set(fused.subarray(r * (I + H), r * (I + H) + I), r * I);
    weightHh.set(fused.subarray(r * (I + H) + I, (r + 1) * (I + H)), r * H);
  }
  return { I, H, weightIh, weightHh, biasIh: layer.bias.slice(0, 3 * H), biasHh: layer.bias.slice(3 * H) };
}

/** Keras's kernel [width, 3H] (gate columns z, r, h) from our rows [3H × width] (r, z, n). */
export function kerasKernel(rows: Float32Array, width: number, H: number): Float32Array {
  const kernel = new Float32Array(width * 3 * H);
  for (let j = 0; j < 3; j++) {
    const ours = OUR_BLOCK_OF_ZRH[j];
    for (let u = 0; u < H; u++) for (let i = 0; i < width; i++) kernel[i * 3 * H + j * H + u] = rows[(ours * H + u) * width + i];
  }
  return kernel;
}

/** A [3H] bias in Keras's z, r, h order from ours (r, z, n). */
export function kerasBias(bias: Float32Array, H: number): Float32Array {
  const out = new Float32Array(3 * H);
  for (let j = 0; j < 3; j++) out.set(bias.subarray(OUR_BLOCK_OF_ZRH[j] * H, (OUR_BLOCK_OF_ZRH[j] + 1) * H), j * H);
  return out;
}
