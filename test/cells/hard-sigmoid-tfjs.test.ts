import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCell, createRandomModel, F32Matrix, Model, setKernelBackend, type Architecture, type GateActivation } from '../../src/index.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { inputsOf, kerasBias, kerasKernel, PARITY_STEPS, runSession, torchPartsOf, worstStep } from '../helpers/gru-cases.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { tfjsOnCpu, type Tf } from '../helpers/tfjs.ts';

// Hard-sigmoid gates against TensorFlow.js's own layers (4.x, cpu backend,
// float32), whose LSTM and GRU default to recurrentActivation 'hardSigmoid':
// Embedding → LSTM / GRU (resetAfter false) × L → Dense, each layer with its
// own recurrentActivation, so mixed stacks are checked per layer. Keras's
// layout: kernel [I, G·H], recurrent_kernel [H, G·H]; LSTM gate columns i, f,
// c, o (ours i, f, g, o), GRU z, r, h (ours r, z, n) with one bias.
const TOLERANCE = 1e-5;
const HARD: GateActivation = 'hard-sigmoid';

let tf: Tf;

beforeAll(async () => {
  tf = await tfjsOnCpu();
}, 60_000);

afterEach(() => setKernelBackend('auto'));

interface Case {
  readonly name: string;
  readonly architecture: Architecture;
  readonly gates: GateActivation[];
}

const CASES: Case[] = [
  { name: 'LSTM, 2 layers, embedding 27 × 7 → H 11, softmax head, hard / hard (tf.layers.lstm defaults)', architecture: { cell: 'lstm', input: 'embedding', vocabSize: 27, inputSize: 7, hiddenSize: 11, numLayers: 2, head: 'softmax', outputSize: 27 }, gates: [HARD, HARD] },
  { name: 'LSTM, 3 layers, dense 5 → H 9, linear head, hard / sigmoid / hard', architecture: { cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 9, numLayers: 3, head: 'linear', outputSize: 3 }, gates: [HARD, 'sigmoid', HARD] },
  { name: 'gru-reset-before, 2 layers, embedding 19 × 6 → H 13, softmax head, hard / hard (tf.layers.gru defaults)', architecture: { cell: 'gru-reset-before', input: 'embedding', vocabSize: 19, inputSize: 6, hiddenSize: 13, numLayers: 2, head: 'softmax', outputSize: 19 }, gates: [HARD, HARD] },
  { name: 'gru-reset-before, 2 layers, dense 3 → H 7, no head, sigmoid / hard', architecture: { cell: 'gru-reset-before', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 7, numLayers: 2, head: 'none', outputSize: 0 }, gates: ['sigmoid', HARD] },
];

/** The case's model with weights spread (×3) so that a good share of the hard gates clip. */
function modelOf(c: Case, seed: number): Model {
  const base = createRandomModel({ ...c.architecture, layers: c.gates.map((gateActivation) => ({ gateActivation })) }, { seed, embeddingScale: 1 });
  const layers = base.layers.map((layer) =>
    createCell(layer.kind, layer.inputSize, layer.hiddenSize, new F32Matrix(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32().map((v) => 3 * v)), layer.bias.map((v) => 3 * v), {
      gateActivation: layer.gateActivation,
    }),
  );
  return new Model({ embedding: base.embedding, layers, head: base.head });
}

/** Keras's kernel [width, 4H] from our LSTM rows [4H × width]: the gate order i, f, c, o is ours, so a plain transpose. */
function transpose(rows: Float32Array, count: number, width: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let r = 0; r < count; r++) for (let i = 0; i < width; i++) out[i * count + r] = rows[r * width + i];
  return out;
}

/** Every step's output and each layer's final h, from tf.layers (returnSequences on every layer). */
function runTfLayers(model: Model, inputs: { tokens: number[]; rows: Float32Array[] }): { outputs: Float32Array[]; h: Float32Array } {
  const a = model.architecture;
  const H = a.hiddenSize;
  const input = model.embedding !== null ? tf.input({ shape: [PARITY_STEPS], dtype: 'int32' }) : tf.input({ shape: [PARITY_STEPS, a.inputSize] });
  let y = input;
  if (model.embedding !== null) {
    y = tf.layers.embedding({ inputDim: a.vocabSize, outputDim: a.inputSize, weights: [tf.tensor2d(model.embedding.toFloat32(), [a.vocabSize, a.inputSize])] }).apply(y) as typeof y;
  }
  const sequences = [];
  for (let l = 0; l < a.numLayers; l++) {
    const { I, weightIh, weightHh, biasIh, biasHh } = a.cell === 'lstm' ? lstmParts(model, l) : torchPartsOf(model, l);
    const recurrentActivation = model.layers[l].gateActivation === HARD ? 'hardSigmoid' : 'sigmoid';
    const layer =
      a.cell === 'lstm'
        ? tf.layers.lstm({
            units: H,
            returnSequences: true,
            recurrentActivation,
            weights: [tf.tensor2d(transpose(weightIh, 4 * H, I), [I, 4 * H]), tf.tensor2d(transpose(weightHh, 4 * H, H), [H, 4 * H]), tf.tensor1d(biasIh)],
          })
        : tf.layers.gru({
            units: H,
            returnSequences: true,
            recurrentActivation,
            // Reset before, b_hn sits outside r: Keras's one bias is b_ih + b_hh.
            weights: [tf.tensor2d(kerasKernel(weightIh, I, H), [I, 3 * H]), tf.tensor2d(kerasKernel(weightHh, H, H), [H, 3 * H]), tf.tensor1d(kerasBias(biasIh.map((b, i) => b + biasHh[i]), H))],
          });
    y = layer.apply(y) as typeof y;
    sequences.push(y);
  }
  let top = y;
  if (model.head !== null) {
    top = tf.layers.dense({ units: a.outputSize, weights: [tf.tensor2d(transpose(model.head.weight.toFloat32(), a.outputSize, H), [H, a.outputSize]), tf.tensor1d(model.head.bias.slice())] }).apply(y) as typeof y;
  }
  const withHead = model.head !== null;
  const network = tf.model({ inputs: input, outputs: withHead ? [top, ...sequences] : sequences });
  const x = model.embedding !== null ? tf.tensor2d(inputs.tokens, [1, PARITY_STEPS], 'int32') : tf.tensor3d(Float32Array.from(inputs.rows.flatMap((r) => [...r])), [1, PARITY_STEPS, a.inputSize]);
  const predicted = network.predict(x);
  const results = (Array.isArray(predicted) ? predicted : [predicted]) as InstanceType<Tf['Tensor']>[];
  const sequenceResults = withHead ? results.slice(1) : results;
  const out = (withHead ? results[0] : results[results.length - 1]).dataSync() as Float32Array;
  const width = out.length / PARITY_STEPS;
  const h = new Float32Array(a.numLayers * H);
  sequenceResults.forEach((sequence, l) => h.set((sequence.dataSync() as Float32Array).subarray((PARITY_STEPS - 1) * H), l * H));
  tf.dispose([x, ...results]);
  network.dispose();
  return { outputs: Array.from({ length: PARITY_STEPS }, (_, t) => out.slice(t * width, (t + 1) * width)), h };
}

/** An LSTM layer's W_ih [4H × I], W_hh [4H × H] and its fused bias (as biasIh; biasHh zero). */
function lstmParts(model: Model, l: number) {
  const layer = model.layers[l];
  const I = layer.inputSize;
  const H = layer.hiddenSize;
  const fused = layer.weight.toFloat32();
  const weightIh = new Float32Array(4 * H * I);
  const weightHh = new Float32Array(4 * H * H);
  for (let r = 0; r < 4 * H; r++) {
    weightIh.set(fused.subarray(r * (I + H), r * (I + H) + I), r * I);
    weightHh.set(fused.subarray(r * (I + H) + I, (r + 1) * (I + H)), r * H);
  }
  return { I, H, weightIh, weightHh, biasIh: layer.bias.slice(), biasHh: new Float32Array(4 * H) };
}

describe('hard-sigmoid gates against TensorFlow.js layers', () => {
  it.each(CASES)(`$name: ${PARITY_STEPS} steps and every layer's final h within 1e-5, both kernels`, (c) => {
    const model = modelOf(c, 5);
    const inputs = inputsOf(model, 17);
    const theirs = runTfLayers(model, inputs);
    for (const backend of ['wasm', 'typescript'] as const) {
      const ours = runSession(model, inputs, backend);
      const worst = worstStep(ours.outputs, theirs.outputs);
      const worstH = maxAbsDiff(ours.h, theirs.h);
      console.log(`${runtimeName()}, TensorFlow.js ${c.name}, ${backend}: max |Δ| steps ${worst.toExponential(2)}, final h ${worstH.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
      expect(worstH).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(Math.max(...theirs.h.map(Math.abs))).toBeGreaterThan(0.05);
  });
});
