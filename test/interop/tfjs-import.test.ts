import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { importTfjsLayers } from '../../src/interop/tfjs/import-tfjs.ts';
import { softmaxInto } from '../../src/math/softmax.ts';
import { describeLayers } from '../../src/model/architecture.ts';
import { Model } from '../../src/model/model.ts';
import { random } from '../helpers/keras-model-json.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { tfjsOnCpu, type Tf } from '../helpers/tfjs.ts';

// Issue 16, item 4 (first slice): TensorFlow.js Layers models built here with
// @tensorflow/tfjs (cpu backend, float32), saved through tf.io.withSaveHandler
// into model.json + weight shards, imported, and stepped one token or vector
// at a time against model.predict on the whole sequence. TensorFlow.js's
// GRU refuses reset_after true, so that variant is a hand-written Keras
// model.json checked against Keras's equations written out below. Stacks
// whose layers differ in kind and size (item 3) are among the cases.
const TOLERANCE = 1e-5;
const STEPS = 40;

type LayersModel = import('@tensorflow/tfjs').LayersModel;

// Loaded once at the top, so that a runtime where TensorFlow.js cannot load skips the suites that need it.
const tf: Tf | null = await tfjsOnCpu().catch(() => null);

interface Saved {
  /** model.json as text. */
  readonly json: string;
  /** The weight bytes split into two shards (at an odd byte, so a float straddles them). */
  readonly shards: Uint8Array[];
}

/** model.json + shards, as tf.LayersModel.save writes them to files. */
async function save(model: LayersModel): Promise<Saved> {
  let saved: Saved | null = null;
  await model.save(
    tf!.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const bytes = Array.isArray(data) ? concat(data.map((d) => new Uint8Array(d))) : new Uint8Array(data as ArrayBuffer);
      const cut = Math.max(1, (bytes.length >> 1) | 1);
      const json = JSON.stringify({
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
      });
      saved = { json, shards: [bytes.slice(0, cut), bytes.slice(cut)] };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every weight redrawn uniformly in [−scale, scale] (seeded), so gates saturate and hard sigmoids clip. */
function spreadWeights(model: LayersModel, scale: number, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => tf!.randomUniform(w.shape, -scale, scale, 'float32', seed + i)));
}

interface Inputs {
  readonly tokens: number[];
  readonly rows: Float32Array[];
}

function inputsOf(vocabSize: number, inputSize: number, seed: number): Inputs {
  const next = random(seed);
  const tokens = Array.from({ length: STEPS }, () => Math.floor(next() * vocabSize));
  const rows = Array.from({ length: STEPS }, () => Float32Array.from({ length: inputSize }, () => 2 * next() - 1));
  return { tokens, rows };
}

/** model.predict on the whole sequence as [steps] rows (or one row when the model returns the last step only). */
function predict(model: LayersModel, inputs: Inputs, embedding: boolean, inputSize: number): Float32Array[] {
  const flat = new Float32Array(STEPS * inputSize);
  inputs.rows.forEach((row, t) => flat.set(row, t * inputSize));
  const x = embedding ? tf!.tensor2d(inputs.tokens, [1, STEPS]) : tf!.tensor3d(flat, [1, STEPS, inputSize]);
  const y = model.predict(x) as InstanceType<Tf['Tensor']>;
  const values = y.dataSync() as Float32Array;
  const width = y.shape[y.shape.length - 1] as number;
  return Array.from({ length: values.length / width }, (_, t) => values.slice(t * width, (t + 1) * width));
}

/** Our model stepped through the inputs, every step's output copied (softmax applied for a softmax head). */
function stepOurs(model: Model, inputs: Inputs): Float32Array[] {
  const session = model.session();
  const outputs: Float32Array[] = [];
  for (let t = 0; t < STEPS; t++) {
    const out = (model.embedding !== null ? session.step(inputs.tokens[t]) : session.step(inputs.rows[t])).slice();
    outputs.push(model.architecture.head === 'softmax' ? softmaxInto(new Float32Array(out.length), out) : out);
  }
  return outputs;
}

function worst(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  a.forEach((row, t) => {
    if (row.length !== b[t].length) max = Infinity;
    for (let i = 0; i < row.length; i++) {
      const d = Math.abs(row[i] - b[t][i]);
      if (!(d <= max)) max = d;
    }
  });
  return max;
}

function errorOf(read: () => unknown): InteropError {
  try {
    read();
  } catch (error) {
    if (!(error instanceof InteropError)) throw error;
    return error;
  }
  throw new Error('expected an InteropError');
}

interface ParityCase {
  readonly name: string;
  readonly build: (t: Tf) => LayersModel;
  readonly embedding: boolean;
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly expect: { cell: string; head: string; numLayers: number; gates?: string[]; layers?: string };
  /** Only the last step is predicted (top layer with return_sequences false). */
  readonly lastOnly?: boolean;
  /**
   * The weights' spread (default 0.9). A wide SimpleRNN at 0.9 is chaotic: two
   * float32 computations of it (TensorFlow.js's and ours) part by more than
   * 1e-5 within 40 steps whatever their kernels, so such a case uses less.
   */
  readonly scale?: number;
}

const V = 23;
const CASES: ParityCase[] = [
  {
    name: 'LSTM language model: Embedding 23 × 7 → LSTM 11 × 2 (sigmoid gates) → Dense softmax',
    build: (t) => {
      const m = t.sequential();
      m.add(t.layers.embedding({ inputDim: V, outputDim: 7, inputLength: STEPS }));
      m.add(t.layers.lstm({ units: 11, returnSequences: true, recurrentActivation: 'sigmoid' }));
      m.add(t.layers.lstm({ units: 11, returnSequences: true, recurrentActivation: 'sigmoid' }));
      m.add(t.layers.dense({ units: V, activation: 'softmax' }));
      return m;
    },
    embedding: true,
    vocabSize: V,
    inputSize: 7,
    expect: { cell: 'lstm', head: 'softmax', numLayers: 2 },
  },
  {
    name: 'GRU stack (reset_after false, hard-sigmoid gates: the TF.js defaults): dense 5 → GRU 9 × 3 → Dense linear, with a Dropout',
    build: (t) => {
      const m = t.sequential();
      m.add(t.layers.gru({ units: 9, returnSequences: true, inputShape: [STEPS, 5] }));
      m.add(t.layers.gru({ units: 9, returnSequences: true }));
      m.add(t.layers.dropout({ rate: 0.3 }));
      m.add(t.layers.gru({ units: 9, returnSequences: true }));
      m.add(t.layers.dense({ units: 3 }));
      return m;
    },
    embedding: false,
    vocabSize: 0,
    inputSize: 5,
    expect: { cell: 'gru-reset-before', head: 'linear', numLayers: 3, gates: ['hard-sigmoid', 'hard-sigmoid', 'hard-sigmoid'] },
  },
  {
    name: 'SimpleRNN: dense 4 → SimpleRNN 6 × 2 (tanh), no head',
    build: (t) => {
      const m = t.sequential();
      m.add(t.layers.simpleRNN({ units: 6, returnSequences: true, inputShape: [STEPS, 4] }));
      m.add(t.layers.simpleRNN({ units: 6, returnSequences: true }));
      return m;
    },
    embedding: false,
    vocabSize: 0,
    inputSize: 4,
    expect: { cell: 'rnn-tanh', head: 'none', numLayers: 2 },
  },
  {
    name: 'SimpleRNN relu as a functional model, top layer return_sequences false: Input 3 → SimpleRNN 5 × 2 → Dense linear (last step)',
    build: (t) => {
      const input = t.input({ shape: [STEPS, 3] });
      const a = t.layers.simpleRNN({ units: 5, activation: 'relu', returnSequences: true }).apply(input);
      const b = t.layers.simpleRNN({ units: 5, activation: 'relu' }).apply(a);
      const y = t.layers.dense({ units: 2 }).apply(b) as typeof input;
      return t.model({ inputs: input, outputs: y });
    },
    embedding: false,
    vocabSize: 0,
    inputSize: 3,
    expect: { cell: 'rnn-relu', head: 'linear', numLayers: 2 },
    lastOnly: true,
  },
  {
    name: 'hard-sigmoid LSTM, mixed per layer: Embedding 23 × 6 → LSTM 8 (hard_sigmoid) → LSTM 8 (sigmoid) → Dense softmax',
    build: (t) => {
      const m = t.sequential();
      m.add(t.layers.embedding({ inputDim: V, outputDim: 6, inputLength: STEPS }));
      m.add(t.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: 'hardSigmoid' }));
      m.add(t.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: 'sigmoid' }));
      m.add(t.layers.dense({ units: V, activation: 'softmax' }));
      return m;
    },
    embedding: true,
    vocabSize: V,
    inputSize: 6,
    expect: { cell: 'lstm', head: 'softmax', numLayers: 2, gates: ['hard-sigmoid', 'sigmoid'] },
  },
  // Stacks as people build them (issue 16, item 3): layers of their own kind and size.
  {
    name: 'mixed stack: Embedding 23 × 7 → LSTM 24 (return_sequences) → GRU 16 → Dense softmax (TF.js default hard-sigmoid gates)',
    build: (t) => {
      const m = t.sequential();
      m.add(t.layers.embedding({ inputDim: V, outputDim: 7, inputLength: STEPS }));
      m.add(t.layers.lstm({ units: 24, returnSequences: true }));
      m.add(t.layers.gru({ units: 16, returnSequences: true }));
      m.add(t.layers.dense({ units: V, activation: 'softmax' }));
      return m;
    },
    embedding: true,
    vocabSize: V,
    inputSize: 7,
    expect: { cell: 'lstm', head: 'softmax', numLayers: 2, gates: ['hard-sigmoid', 'hard-sigmoid'], layers: 'lstm:24 (hard-sigmoid), gru-reset-before:16 (hard-sigmoid)' },
  },
  {
    name: 'mixed stack: dense 5 → SimpleRNN 20 → GRU 12 (sigmoid gates) → Dense linear',
    build: (t) => {
      const m = t.sequential();
      m.add(t.layers.simpleRNN({ units: 20, returnSequences: true, inputShape: [STEPS, 5] }));
      m.add(t.layers.gru({ units: 12, returnSequences: true, recurrentActivation: 'sigmoid' }));
      m.add(t.layers.dense({ units: 3 }));
      return m;
    },
    embedding: false,
    vocabSize: 0,
    inputSize: 5,
    expect: { cell: 'rnn-tanh', head: 'linear', numLayers: 2, gates: ['sigmoid', 'sigmoid'], layers: 'rnn-tanh:20, gru-reset-before:12' },
    scale: 0.3,
  },
  {
    name: 'mixed stack, odd sizes and three kinds: dense 3 → GRU 13 → LSTM 7 (sigmoid) → SimpleRNN relu 5, no head',
    build: (t) => {
      const m = t.sequential();
      m.add(t.layers.gru({ units: 13, returnSequences: true, inputShape: [STEPS, 3] }));
      m.add(t.layers.lstm({ units: 7, returnSequences: true, recurrentActivation: 'sigmoid' }));
      m.add(t.layers.simpleRNN({ units: 5, activation: 'relu', returnSequences: true }));
      return m;
    },
    embedding: false,
    vocabSize: 0,
    inputSize: 3,
    expect: { cell: 'gru-reset-before', head: 'none', numLayers: 3, gates: ['hard-sigmoid', 'sigmoid', 'sigmoid'], layers: 'gru-reset-before:13 (hard-sigmoid), lstm:7, rnn-relu:5' },
  },
  {
    name: 'a shrinking LSTM stack as a functional model, top layer return_sequences false: Input 3 → LSTM 8 → LSTM 5 → Dense linear (last step)',
    build: (t) => {
      const input = t.input({ shape: [STEPS, 3] });
      const a = t.layers.lstm({ units: 8, returnSequences: true }).apply(input);
      const b = t.layers.lstm({ units: 5 }).apply(a);
      const y = t.layers.dense({ units: 2 }).apply(b) as typeof input;
      return t.model({ inputs: input, outputs: y });
    },
    embedding: false,
    vocabSize: 0,
    inputSize: 3,
    expect: { cell: 'lstm', head: 'linear', numLayers: 2, gates: ['hard-sigmoid', 'hard-sigmoid'], layers: 'lstm:8 (hard-sigmoid), lstm:5 (hard-sigmoid)' },
    lastOnly: true,
  },
];

describe.skipIf(tf === null)('TensorFlow.js Layers models import and match model.predict', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_, c, i) => {
    const built = c.build(tf!);
    spreadWeights(built, c.scale ?? 0.9, 100 * (i + 1));
    const saved = await save(built);
    const model = importTfjsLayers(saved.json, saved.shards);
    const a = model.architecture;
    expect([a.cell, a.head, a.numLayers]).toEqual([c.expect.cell, c.expect.head, c.expect.numLayers]);
    expect(a.layers?.map((l) => l.gateActivation)).toEqual(c.expect.gates);
    if (c.expect.layers !== undefined) expect(describeLayers(a)).toBe(c.expect.layers);
    const inputs = inputsOf(c.vocabSize, c.inputSize, 7 + i);
    const expected = predict(built, inputs, c.embedding, c.inputSize);
    const ours = stepOurs(model, inputs);
    const delta = worst(c.lastOnly === true ? ours.slice(-1) : ours, expected);
    console.log(`${runtimeName()}, TensorFlow.js import, ${c.name}: max |Δ| over ${STEPS} steps ${delta.toExponential(2)}`);
    expect(delta).toBeLessThanOrEqual(TOLERANCE);
    // The same files as a parsed object, its bytes, and shards by path read the same.
    const byPath = { 'group1-shard1of2.bin': saved.shards[0], 'group1-shard2of2.bin': saved.shards[1] };
    const again = importTfjsLayers(new TextEncoder().encode(saved.json), byPath);
    expect(worst(stepOurs(again, inputs), ours)).toBe(0);
  }, 60_000);
});

// ---- GRU reset_after true: a hand-written Keras model.json (TensorFlow.js cannot build one) ----

const GRU_H = 6;
const GRU_I = 4;
const GRU_OUT = 3;

/** A Keras 2 Sequential (GRU reset_after true → GRU → Dense linear) and its weights, as tensorflowjs_converter writes it. */
function kerasResetAfter(seed: number, overrides: { units2?: number; reset2?: boolean } = {}): { json: string; shards: Uint8Array[]; weights: Record<string, Float32Array> } {
  const next = random(seed);
  const units2 = overrides.units2 ?? GRU_H;
  const draw = (n: number) => Float32Array.from({ length: n }, () => 1.6 * next() - 0.8);
  const gru = (name: string, units: number, reset: boolean, first: boolean) => ({
    class_name: 'GRU',
    config: {
      name,
      trainable: true,
      ...(first ? { batch_input_shape: [null, null, GRU_I] } : {}),
      dtype: 'float32',
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      time_major: false,
      units,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      dropout: 0.1,
      recurrent_dropout: 0.2,
      implementation: 2,
      reset_after: reset,
    },
  });
  const reset2 = overrides.reset2 ?? true;
  const specs: { name: string; shape: number[] }[] = [
    { name: 'gru/gru_cell/kernel', shape: [GRU_I, 3 * GRU_H] },
    { name: 'gru/gru_cell/recurrent_kernel', shape: [GRU_H, 3 * GRU_H] },
    { name: 'gru/gru_cell/bias', shape: [2, 3 * GRU_H] },
    { name: 'gru_1/gru_cell_1/kernel', shape: [GRU_H, 3 * units2] },
    { name: 'gru_1/gru_cell_1/recurrent_kernel', shape: [units2, 3 * units2] },
    { name: 'gru_1/gru_cell_1/bias', shape: reset2 ? [2, 3 * units2] : [3 * units2] },
    { name: 'dense/kernel', shape: [units2, GRU_OUT] },
    { name: 'dense/bias', shape: [GRU_OUT] },
  ];
  const weights: Record<string, Float32Array> = {};
  for (const spec of specs) weights[spec.name] = draw(spec.shape.reduce((a, b) => a * b, 1));
  const topology = {
    keras_version: '2.15.0',
    backend: 'tensorflow',
    model_config: {
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, null, GRU_I], dtype: 'float32', sparse: false, ragged: false, name: 'gru_input' } },
          gru('gru', GRU_H, true, true),
          gru('gru_1', units2, reset2, false),
          { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: GRU_OUT, activation: 'linear', use_bias: true } },
        ],
      },
    },
  };
  const json = JSON.stringify({
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: topology,
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs.map((s) => ({ ...s, dtype: 'float32' })) }],
  });
  const shard = concat(specs.map((s) => new Uint8Array(weights[s.name].buffer)));
  return { json, shards: [shard], weights };
}

/** Keras's GRU with reset_after true, in its own layout (kernel [I, 3H], gates z, r, h; bias rows input, recurrent), in f64. */
function kerasGruSequence(xs: Float64Array[], kernel: Float32Array, recurrent: Float32Array, bias: Float32Array, H: number): Float64Array[] {
  const I = kernel.length / (3 * H);
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  let h = new Float64Array(H);
  return xs.map((x) => {
    const xw = new Float64Array(3 * H);
    const hu = new Float64Array(3 * H);
    for (let c = 0; c < 3 * H; c++) {
      xw[c] = bias[c];
      hu[c] = bias[3 * H + c];
      for (let i = 0; i < I; i++) xw[c] += x[i] * kernel[i * 3 * H + c];
      for (let j = 0; j < H; j++) hu[c] += h[j] * recurrent[j * 3 * H + c];
    }
    const next = new Float64Array(H);
    for (let u = 0; u < H; u++) {
      const z = sigmoid(xw[u] + hu[u]);
      const r = sigmoid(xw[H + u] + hu[H + u]);
      const n = Math.tanh(xw[2 * H + u] + r * hu[2 * H + u]);
      next[u] = z * h[u] + (1 - z) * n;
    }
    h = next;
    return next;
  });
}

describe('a hand-written Keras GRU (reset_after true) model.json', () => {
  it('imports as a gru stack and matches Keras equations step by step', () => {
    const { json, shards, weights } = kerasResetAfter(3);
    const model = importTfjsLayers(json, shards);
    expect(model.architecture).toMatchObject({ cell: 'gru', input: 'dense', inputSize: GRU_I, hiddenSize: GRU_H, numLayers: 2, head: 'linear', outputSize: GRU_OUT });
    const inputs = inputsOf(0, GRU_I, 11);
    const xs = inputs.rows.map((r) => Float64Array.from(r));
    const h1 = kerasGruSequence(xs, weights['gru/gru_cell/kernel'], weights['gru/gru_cell/recurrent_kernel'], weights['gru/gru_cell/bias'], GRU_H);
    const h2 = kerasGruSequence(h1, weights['gru_1/gru_cell_1/kernel'], weights['gru_1/gru_cell_1/recurrent_kernel'], weights['gru_1/gru_cell_1/bias'], GRU_H);
    const dense = weights['dense/kernel'];
    const expected = h2.map((h) =>
      Float32Array.from({ length: GRU_OUT }, (_, v) => {
        let sum = weights['dense/bias'][v];
        for (let j = 0; j < GRU_H; j++) sum += h[j] * dense[j * GRU_OUT + v];
        return sum;
      }),
    );
    const delta = worst(stepOurs(model, inputs), expected);
    console.log(`${runtimeName()}, Keras GRU reset_after true (hand-written model.json) against f64 Keras equations: max |Δ| over ${STEPS} steps ${delta.toExponential(2)}`);
    expect(delta).toBeLessThanOrEqual(TOLERANCE);
  });

  it('takes layers of different sizes and a stack mixing reset_after, each layer its own (a mixed stack)', () => {
    const sizes = kerasResetAfter(4, { units2: 5 });
    const model = importTfjsLayers(sizes.json, sizes.shards);
    expect(describeLayers(model.architecture)).toBe(`gru:${GRU_H}, gru:5`);
    const inputs = inputsOf(0, GRU_I, 12);
    const h1 = kerasGruSequence(inputs.rows.map((r) => Float64Array.from(r)), sizes.weights['gru/gru_cell/kernel'], sizes.weights['gru/gru_cell/recurrent_kernel'], sizes.weights['gru/gru_cell/bias'], GRU_H);
    const h2 = kerasGruSequence(h1, sizes.weights['gru_1/gru_cell_1/kernel'], sizes.weights['gru_1/gru_cell_1/recurrent_kernel'], sizes.weights['gru_1/gru_cell_1/bias'], 5);
    const dense = sizes.weights['dense/kernel'];
    const expected = h2.map((h) =>
      Float32Array.from({ length: GRU_OUT }, (_, v) => {
        let sum = sizes.weights['dense/bias'][v];
        for (let j = 0; j < 5; j++) sum += h[j] * dense[j * GRU_OUT + v];
        return sum;
      }),
    );
    expect(worst(stepOurs(model, inputs), expected)).toBeLessThanOrEqual(TOLERANCE);
    const mixed = kerasResetAfter(5, { reset2: false });
    expect(describeLayers(importTfjsLayers(mixed.json, mixed.shards).architecture)).toBe(`gru:${GRU_H}, gru-reset-before:${GRU_H}`);
  });

  it("refuses Keras 3's hard_sigmoid, which is not TensorFlow.js's", () => {
    const { json, shards } = kerasResetAfter(6);
    const edited = JSON.parse(json);
    edited.modelTopology.keras_version = '3.3.3';
    edited.modelTopology.model_config.config.layers[1].config.recurrent_activation = 'hard_sigmoid';
    const error = errorOf(() => importTfjsLayers(edited, shards));
    expect(error.code).toBe(ErrorCode.TFJS_UNSUPPORTED);
    expect(error.message).toMatch(/layer "gru" \(GRU\): recurrent_activation hard_sigmoid of Keras 3\.3\.3/);
  });
});

describe.skipIf(tf === null)('TensorFlow.js models the importer refuses', () => {
  const refusals: [string, (t: Tf) => LayersModel, RegExp][] = [
    [
      'Bidirectional',
      (t) => {
        const m = t.sequential();
        m.add(t.layers.bidirectional({ layer: t.layers.lstm({ units: 4, returnSequences: true }) as never, inputShape: [STEPS, 3] }));
        return m;
      },
      /\(Bidirectional\): a bidirectional layer needs the whole sequence/,
    ],
    [
      'an unknown layer (Conv1D)',
      (t) => {
        const m = t.sequential();
        m.add(t.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [STEPS, 3] }));
        m.add(t.layers.lstm({ units: 4, returnSequences: true }));
        return m;
      },
      /\(Conv1D\): layer class Conv1D is not supported/,
    ],
    [
      'an embedding with mask_zero',
      (t) => {
        const m = t.sequential();
        m.add(t.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: STEPS }));
        m.add(t.layers.lstm({ units: 4, returnSequences: true }));
        return m;
      },
      /\(Embedding\): mask_zero/,
    ],
    [
      'go_backwards',
      (t) => {
        const m = t.sequential();
        m.add(t.layers.simpleRNN({ units: 4, goBackwards: true, returnSequences: true, inputShape: [STEPS, 3] }));
        return m;
      },
      /\(SimpleRNN\): go_backwards/,
    ],
    [
      'an LSTM with activation relu',
      (t) => {
        const m = t.sequential();
        m.add(t.layers.lstm({ units: 4, activation: 'relu', returnSequences: true, inputShape: [STEPS, 3] }));
        return m;
      },
      /\(LSTM\): activation "relu" is not supported/,
    ],
  ];
  it.each(refusals)('%s: TFJS_UNSUPPORTED naming the layer', async (_, build, message) => {
    const saved = await save(build(tf!));
    const error = errorOf(() => importTfjsLayers(saved.json, saved.shards));
    expect(error.code).toBe(ErrorCode.TFJS_UNSUPPORTED);
    expect(error.message).toMatch(message);
  });
});

// ---- Hostile input: typed errors only ----

describe('damaged and hostile model.json / shard pairs', () => {
  // The hand-written Keras model: needs no TensorFlow.js, so this runs on every runtime.
  const { json, shards } = kerasResetAfter(9);
  const runs = runtimeName() === 'node' ? 600 : 150;

  it('truncated JSON: TFJS_INVALID at every cut', () => {
    for (let cut = 0; cut < json.length; cut += Math.max(1, Math.floor(json.length / runs))) {
      expect(errorOf(() => importTfjsLayers(json.slice(0, cut), shards)).code).toBe(ErrorCode.TFJS_INVALID);
    }
  });

  it('garbled JSON text and mutated fields: an InteropError or a model, nothing else', () => {
    const parsed = JSON.parse(json);
    const values = [null, -1, 0, 1.5, 2 ** 40, 'x', 'hard_sigmoid', 'LSTM', [], [1, 2], {}, true, [null, 3], { class_name: 'Foo' }];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: json.length - 1 }), fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 2 ** 30 }), (at, code, pick) => {
        const garbled = json.slice(0, at) + String.fromCharCode(code) + json.slice(at + 1);
        for (const source of [garbled, mutate(parsed, pick, values)]) {
          try {
            expect(importTfjsLayers(source, shards)).toBeInstanceOf(Model);
          } catch (error) {
            if (!(error instanceof InteropError)) throw error;
          }
        }
      }),
      { numRuns: runs, seed: 20261205 },
    );
  });

  it('shards that do not match the manifest: TFJS_INVALID', () => {
    const bytes = shards[0];
    expect(errorOf(() => importTfjsLayers(json, [bytes.subarray(0, bytes.length - 1)])).message).toMatch(/declares \d+ bytes of weights, but its 1 shard\(s\) hold/);
    expect(errorOf(() => importTfjsLayers(json, [concat([bytes, new Uint8Array(4)])])).code).toBe(ErrorCode.TFJS_INVALID);
    expect(errorOf(() => importTfjsLayers(json, [])).message).toMatch(/lists 1 weight shards, but 0 were given/);
    expect(errorOf(() => importTfjsLayers(json, { 'other.bin': bytes })).message).toMatch(/shard "group1-shard1of1.bin".*is missing/);
  });

  it('huge or malformed declared shapes: refused before any allocation', () => {
    const withShape = (shape: unknown, dtype = 'float32') => {
      const edited = JSON.parse(json);
      edited.weightsManifest[0].weights[0].shape = shape;
      edited.weightsManifest[0].weights[0].dtype = dtype;
      return edited;
    };
    expect(errorOf(() => importTfjsLayers(withShape([2 ** 20, 2 ** 20]), shards)).code).toBe(ErrorCode.LIMIT_EXCEEDED);
    expect(errorOf(() => importTfjsLayers(withShape([2 ** 40, 2 ** 40]), shards)).code).toBe(ErrorCode.LIMIT_EXCEEDED);
    expect(errorOf(() => importTfjsLayers(withShape([4096, 4096]), shards, { maxTensorElements: 1 << 20 })).code).toBe(ErrorCode.LIMIT_EXCEEDED);
    expect(errorOf(() => importTfjsLayers(withShape([-1, 4]), shards)).code).toBe(ErrorCode.TFJS_INVALID);
    expect(errorOf(() => importTfjsLayers(withShape([1.5]), shards)).code).toBe(ErrorCode.TFJS_INVALID);
    expect(errorOf(() => importTfjsLayers(withShape([GRU_I, 3 * GRU_H], 'int32'), shards)).code).toBe(ErrorCode.TENSOR_DTYPE_UNSUPPORTED);
    // A shape that the bytes back but that is not the layer's: named by the weight.
    const swapped = withShape([3 * GRU_H, GRU_I]);
    expect(errorOf(() => importTfjsLayers(swapped, shards)).message).toMatch(/weight "gru\/gru_cell\/kernel" has shape \[18,4\], expected \[\?,18\]/);
  });

  it('size limits: JSON text, shard count, total allocation', () => {
    expect(errorOf(() => importTfjsLayers(json, shards, { maxJsonBytes: 100 })).code).toBe(ErrorCode.LIMIT_EXCEEDED);
    const many = JSON.parse(json);
    many.weightsManifest[0].paths = Array.from({ length: 5000 }, (_, i) => `s${i}.bin`);
    expect(errorOf(() => importTfjsLayers(many, shards)).message).toMatch(/more than 4096 weight shards/);
    expect(errorOf(() => importTfjsLayers(json, shards, { maxAllocationBytes: 64 })).code).toBe(ErrorCode.LIMIT_EXCEEDED);
  });

  it('non-finite weights and missing weights: the model codes, as InteropErrors', () => {
    const bad = shards[0].slice();
    new DataView(bad.buffer).setFloat32(8, Number.NaN, true);
    expect(errorOf(() => importTfjsLayers(json, [bad])).code).toBe(ErrorCode.WEIGHT_NOT_FINITE);
    const renamed = JSON.parse(json);
    renamed.weightsManifest[0].weights[1].name = 'gru/gru_cell/other';
    expect(errorOf(() => importTfjsLayers(renamed, shards)).code).toBe(ErrorCode.MISSING_TENSOR);
    const extra = JSON.parse(json);
    extra.weightsManifest[0].weights.push({ name: 'attention/query', shape: [1], dtype: 'float32' });
    expect(errorOf(() => importTfjsLayers(extra, [concat([shards[0], new Uint8Array(4)])])).message).toMatch(/weight\(s\) "attention\/query" that belong to no supported layer/);
  });
});

/** A copy of `value` with one node (chosen by `pick`, walking depth first) replaced by one of `values`. */
function mutate(value: unknown, pick: number, values: readonly unknown[]): object {
  const copy = JSON.parse(JSON.stringify(value));
  const nodes: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((child, i) => (nodes.push([node, i]), walk(child)));
    else if (typeof node === 'object' && node !== null) for (const [key, child] of Object.entries(node)) nodes.push([node as Record<string, unknown>, key]), walk(child);
  };
  walk(copy);
  const [parent, key] = nodes[pick % nodes.length];
  const replacement = values[Math.floor(pick / nodes.length) % values.length];
  if (pick % 7 === 0 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
  else (parent as Record<string | number, unknown>)[key] = replacement;
  return copy;
}
