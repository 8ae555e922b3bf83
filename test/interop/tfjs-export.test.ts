import { describe, expect, it } from 'vitest';
import { importTfjsLayers } from '../../src/interop/tfjs/import-tfjs.ts';
import { exportTfjsLayers } from '../../src/interop/tfjs/export-tfjs.ts';
import { softmaxInto } from '../../src/math/softmax.ts';
import type { Architecture } from '../../src/model/architecture.ts';
import type { Model } from '../../src/model/model.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import { random } from '../helpers/keras-model-json.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { tfjsOnCpu, type Tf } from '../helpers/tfjs.ts';

// Issue 16, item 4, the other way: our models written as TensorFlow.js Layers
// files load into TensorFlow.js (tf.loadLayersModel from memory) and predict
// what our sessions step, within 1e-5; every kind also reads back through
// importTfjsLayers unchanged. `gru` (reset after) is valid Keras that
// TensorFlow.js's GRU refuses, so it is checked by the round trip only.
// Mixed stacks (layers of their own kind and size) go both ways too.
const TOLERANCE = 1e-5;
const STEPS = 30;

const tf: Tf | null = await tfjsOnCpu().catch(() => null);

const CASES: { name: string; architecture: Architecture; tfjs: boolean }[] = [
  { name: 'LSTM LM, 2 layers, embedding 19 × 5 → H 7, softmax head, hard / sigmoid gates', architecture: { cell: 'lstm', input: 'embedding', vocabSize: 19, inputSize: 5, hiddenSize: 7, numLayers: 2, head: 'softmax', outputSize: 19, layers: [{ gateActivation: 'hard-sigmoid' }, { gateActivation: 'sigmoid' }] }, tfjs: true },
  { name: 'gru-reset-before, 2 layers, dense 3 → H 9, linear head', architecture: { cell: 'gru-reset-before', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 9, numLayers: 2, head: 'linear', outputSize: 2 }, tfjs: true },
  { name: 'rnn-relu, 2 layers, dense 4 → H 6, no head', architecture: { cell: 'rnn-relu', input: 'dense', vocabSize: 0, inputSize: 4, hiddenSize: 6, numLayers: 2, head: 'none', outputSize: 0 }, tfjs: true },
  { name: 'gru (reset after), embedding 11 × 4 → H 5, softmax head', architecture: { cell: 'gru', input: 'embedding', vocabSize: 11, inputSize: 4, hiddenSize: 5, numLayers: 1, head: 'softmax', outputSize: 11 }, tfjs: false },
  // Mixed stacks (issue 16, item 3): each layer its own kind and size.
  {
    name: 'mixed: embedding 13 × 5 → LSTM 24 → GRU reset-before 16 (hard sigmoid), softmax head',
    architecture: { cell: 'lstm', input: 'embedding', vocabSize: 13, inputSize: 5, hiddenSize: 24, numLayers: 2, head: 'softmax', outputSize: 13, layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'hard-sigmoid', cell: 'gru-reset-before', hiddenSize: 16 }] },
    tfjs: true,
  },
  {
    name: 'mixed: dense 3 → rnn-tanh 9 → gru-reset-before 7 → lstm 5, linear head',
    architecture: { cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 9, numLayers: 3, head: 'linear', outputSize: 2, layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'gru-reset-before', hiddenSize: 7 }, { gateActivation: 'sigmoid', cell: 'lstm', hiddenSize: 5 }] },
    tfjs: true,
  },
  {
    name: 'mixed with a reset-after GRU: dense 4 → gru 6 → rnn-relu 3, no head',
    architecture: { cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 4, hiddenSize: 6, numLayers: 2, head: 'none', outputSize: 0, layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'rnn-relu', hiddenSize: 3 }] },
    tfjs: false,
  },
];

function inputsOf(a: Architecture, seed: number): { tokens: number[]; rows: Float32Array[] } {
  const next = random(seed);
  return {
    tokens: Array.from({ length: STEPS }, () => Math.floor(next() * Math.max(1, a.vocabSize))),
    rows: Array.from({ length: STEPS }, () => Float32Array.from({ length: a.inputSize }, () => 2 * next() - 1)),
  };
}

function stepOurs(model: Model, inputs: { tokens: number[]; rows: Float32Array[] }, probabilities: boolean): Float32Array[] {
  const session = model.session();
  return inputs.tokens.map((token, t) => {
    const out = (model.embedding !== null ? session.step(token) : session.step(inputs.rows[t])).slice();
    return probabilities && model.architecture.head === 'softmax' ? softmaxInto(new Float32Array(out.length), out) : out;
  });
}

function worst(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let max = a.length === b.length ? 0 : Infinity;
  a.forEach((row, t) => row.forEach((v, i) => (max = Math.max(max, Math.abs(v - (b[t]?.[i] ?? Infinity))))));
  return max;
}

describe('exportTfjsLayers', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: reads back through importTfjsLayers unchanged', (_, c, i) => {
    // The first case carries a vocabulary, tokenizer and metadata through userDefinedMetadata.
    const extras = i === 0 ? { vocabulary: Array.from({ length: 19 }, (_, k) => `w${k}`), tokenizer: { kind: 'word' as const, unknownToken: 'w0' }, metadata: { corpus: 'toy' } } : undefined;
    const model = createRandomModel(c.architecture, { seed: 40 + i, extras });
    const files = exportTfjsLayers(model);
    const back = importTfjsLayers(files.modelJson, { [files.shardPath]: files.weights });
    expect(back.architecture).toEqual(model.architecture);
    expect([back.vocabulary, back.tokenizer, back.metadata]).toEqual([model.vocabulary, model.tokenizer, model.metadata]);
    const inputs = inputsOf(c.architecture, i);
    expect(worst(stepOurs(back, inputs, false), stepOurs(model, inputs, false))).toBeLessThanOrEqual(1e-6);
  });

  it.skipIf(tf === null).each(CASES.filter((c) => c.tfjs).map((c, i) => [c.name, c, i] as const))('%s: tf.loadLayersModel predicts what our session steps', async (_, c, i) => {
    const t = tf!;
    const model = createRandomModel(c.architecture, { seed: 60 + i, embeddingScale: 1 });
    const files = exportTfjsLayers(model);
    const parsed = JSON.parse(files.modelJson);
    const weightData = files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength) as ArrayBuffer;
    const loaded = await t.loadLayersModel(t.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest[0].weights, weightData }));
    const a = c.architecture;
    const inputs = inputsOf(a, 100 + i);
    const flat = new Float32Array(STEPS * a.inputSize);
    inputs.rows.forEach((row, s) => flat.set(row, s * a.inputSize));
    const x = a.input === 'embedding' ? t.tensor2d(inputs.tokens, [1, STEPS]) : t.tensor3d(flat, [1, STEPS, a.inputSize]);
    const y = loaded.predict(x) as InstanceType<Tf['Tensor']>;
    const values = y.dataSync() as Float32Array;
    const width = values.length / STEPS;
    const expected = Array.from({ length: STEPS }, (_, s) => values.slice(s * width, (s + 1) * width));
    const delta = worst(stepOurs(model, inputs, true), expected);
    console.log(`${runtimeName()}, lstm-stream → TensorFlow.js, ${c.name}: max |Δ| over ${STEPS} steps ${delta.toExponential(2)}`);
    expect(delta).toBeLessThanOrEqual(TOLERANCE);
  }, 60_000);
});
