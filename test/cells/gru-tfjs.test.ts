import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setKernelBackend, type Model } from '../../src/index.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { gruCases, inputsOf, kerasBias, kerasKernel, modelOf, PARITY_STEPS, runSession, torchPartsOf, worstStep } from '../helpers/gru-cases.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { tfjsOnCpu, type Tf } from '../helpers/tfjs.ts';

// Issue 16, must-show 1: our GRU against TensorFlow.js (4.x, cpu backend:
// plain JavaScript, float32), which loads on Node, Deno and Bun alike.
// `gru-reset-before` runs through tf.layers.gru (resetAfter false, its only
// setting). TensorFlow.js's GRUCell refuses resetAfter: true, so PyTorch's
// variant (`gru`) is checked against Keras's reset_after=True equations
// written in TensorFlow.js ops, step by step. Keras's layout: kernel [I, 3H],
// recurrent_kernel [H, 3H], gate order z, r, h; recurrentActivation is set to
// 'sigmoid' (TensorFlow.js defaults to the hard sigmoid).
const TOLERANCE = 1e-5;

let tf: Tf;

beforeAll(async () => {
  tf = await tfjsOnCpu();
}, 60_000);

afterEach(() => setKernelBackend('auto'));

interface Reference {
  readonly outputs: Float32Array[];
  readonly h: Float32Array;
}

function inputTensor(model: Model, inputs: { tokens: number[]; rows: Float32Array[] }) {
  return model.embedding !== null
    ? tf.tensor2d(inputs.tokens, [1, PARITY_STEPS], 'int32')
    : tf.tensor3d(Float32Array.from(inputs.rows.flatMap((r) => [...r])), [1, PARITY_STEPS, model.architecture.inputSize]);
}

/** gru-reset-before through tf.layers (Embedding → GRU × L → Dense), every layer's sequence as an output. */
function runLayers(model: Model, inputs: { tokens: number[]; rows: Float32Array[] }): Reference {
  const a = model.architecture;
  const H = a.hiddenSize;
  const input = model.embedding !== null ? tf.input({ shape: [PARITY_STEPS], dtype: 'int32' }) : tf.input({ shape: [PARITY_STEPS, a.inputSize] });
  let y = input;
  if (model.embedding !== null) {
    const embedding = tf.layers.embedding({ inputDim: a.vocabSize, outputDim: a.inputSize, weights: [tf.tensor2d(model.embedding.toFloat32(), [a.vocabSize, a.inputSize])] });
    y = embedding.apply(y) as typeof y;
  }
  const sequences = [];
  for (let l = 0; l < a.numLayers; l++) {
    const { I, weightIh, weightHh, biasIh, biasHh } = torchPartsOf(model, l);
    // Reset before, b_hn sits outside r: Keras's one bias is b_ih + b_hh.
    const bias = biasIh.map((b, i) => b + biasHh[i]);
    const layer = tf.layers.gru({
      units: H,
      returnSequences: true,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      weights: [tf.tensor2d(kerasKernel(weightIh, I, H), [I, 3 * H]), tf.tensor2d(kerasKernel(weightHh, H, H), [H, 3 * H]), tf.tensor1d(kerasBias(bias, H))],
    });
    y = layer.apply(y) as typeof y;
    sequences.push(y);
  }
  let top = y;
  if (model.head !== null) {
    const V = a.outputSize;
    const weight = model.head.weight.toFloat32();
    const transposed = new Float32Array(H * V);
    for (let v = 0; v < V; v++) for (let j = 0; j < H; j++) transposed[j * V + v] = weight[v * H + j];
    top = tf.layers.dense({ units: V, weights: [tf.tensor2d(transposed, [H, V]), tf.tensor1d(model.head.bias.slice())] }).apply(y) as typeof y;
  }
  // Without a head the output is the top layer's sequence, listed once (a model's outputs must differ).
  const withHead = model.head !== null;
  const network = tf.model({ inputs: input, outputs: withHead ? [top, ...sequences] : sequences });
  const x = inputTensor(model, inputs);
  const predicted = network.predict(x);
  const results = (Array.isArray(predicted) ? predicted : [predicted]) as InstanceType<Tf['Tensor']>[];
  const sequenceResults = withHead ? results.slice(1) : results;
  const out = (withHead ? results[0] : results[results.length - 1]).dataSync() as Float32Array;
  const width = out.length / PARITY_STEPS;
  const h = new Float32Array(a.numLayers * H);
  for (let l = 0; l < a.numLayers; l++) {
    const sequence = sequenceResults[l].dataSync() as Float32Array;
    h.set(sequence.subarray((PARITY_STEPS - 1) * H), l * H);
  }
  tf.dispose([x, ...results]);
  network.dispose();
  return { outputs: Array.from({ length: PARITY_STEPS }, (_, t) => out.slice(t * width, (t + 1) * width)), h };
}

/** PyTorch's variant as Keras's reset_after=True cell computes it, in TensorFlow.js ops, one step at a time. */
function runResetAfterOps(model: Model, inputs: { tokens: number[]; rows: Float32Array[] }): Reference {
  const a = model.architecture;
  const H = a.hiddenSize;
  const layers = Array.from({ length: a.numLayers }, (_, l) => {
    const { I, weightIh, weightHh, biasIh, biasHh } = torchPartsOf(model, l);
    return {
      kernel: tf.tensor2d(kerasKernel(weightIh, I, H), [I, 3 * H]),
      recurrentKernel: tf.tensor2d(kerasKernel(weightHh, H, H), [H, 3 * H]),
      inputBias: tf.tensor1d(kerasBias(biasIh, H)),
      recurrentBias: tf.tensor1d(kerasBias(biasHh, H)),
    };
  });
  const embedding = model.embedding === null ? null : tf.tensor2d(model.embedding.toFloat32(), [a.vocabSize, a.inputSize]);
  let headWeight = null;
  let headBias = null;
  if (model.head !== null) {
    headWeight = tf.tensor2d(model.head.weight.toFloat32(), [a.outputSize, H]);
    headBias = tf.tensor1d(model.head.bias.slice());
  }
  let states = layers.map(() => tf.zeros([1, H]));
  const outputs: Float32Array[] = [];
  for (let t = 0; t < PARITY_STEPS; t++) {
    const next = tf.tidy(() => {
      let x: InstanceType<Tf['Tensor']> = embedding !== null ? tf.gather(embedding, [inputs.tokens[t]]) : tf.tensor2d(inputs.rows[t], [1, a.inputSize]);
      const hs = layers.map((layer, l) => {
        const h = states[l];
        const matrixX = tf.add(tf.matMul(x, layer.kernel), layer.inputBias);
        const matrixInner = tf.add(tf.matMul(h, layer.recurrentKernel), layer.recurrentBias);
        const [xZ, xR, xH] = tf.split(matrixX, 3, 1);
        const [recurrentZ, recurrentR, recurrentH] = tf.split(matrixInner, 3, 1);
        const z = tf.sigmoid(tf.add(xZ, recurrentZ));
        const r = tf.sigmoid(tf.add(xR, recurrentR));
        const hh = tf.tanh(tf.add(xH, tf.mul(r, recurrentH)));
        const hNext = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
        x = hNext;
        return hNext;
      });
      const out = headWeight !== null && headBias !== null ? tf.add(tf.matMul(x, headWeight, false, true), headBias) : x;
      return { hs, out };
    });
    outputs.push((next.out.dataSync() as Float32Array).slice());
    tf.dispose(states);
    if (!next.hs.includes(next.out)) next.out.dispose(); // without a head the output is the top state
    states = next.hs;
  }
  const h = new Float32Array(a.numLayers * H);
  states.forEach((state, l) => h.set(state.dataSync() as Float32Array, l * H));
  tf.dispose([...states, ...layers.flatMap((l) => Object.values(l)), ...(embedding ? [embedding] : []), ...(headWeight ? [headWeight] : []), ...(headBias ? [headBias] : [])]);
  return { outputs, h };
}

describe('GRU against TensorFlow.js', () => {
  it('TensorFlow.js refuses resetAfter: true (why PyTorch\'s variant is checked against its ops)', () => {
    // resetAfter is not in TensorFlow.js's GRULayerArgs type either; Keras configs carry it.
    expect(() => tf.layers.gru({ units: 3, resetAfter: true } as Parameters<Tf['layers']['gru']>[0])).toThrow(/reset_after/);
  });

  describe.each([
    ['gru-reset-before', 'tf.layers.gru (resetAfter false)'],
    ['gru', "Keras's reset_after=True cell in TensorFlow.js ops"],
  ] as const)('%s against %s', (cell, what) => {
    it.each(gruCases(cell))('$name: every step and the final state within 1e-5, WebAssembly and TypeScript kernels', (c) => {
      const model = modelOf(c);
      const inputs = inputsOf(model, c.seed + 200);
      const theirs = cell === 'gru' ? runResetAfterOps(model, inputs) : runLayers(model, inputs);
      for (const backend of ['wasm', 'typescript'] as const) {
        const ours = runSession(model, inputs, backend);
        const worst = worstStep(ours.outputs, theirs.outputs);
        const worstH = maxAbsDiff(ours.h, theirs.h);
        console.log(`${runtimeName()}, TensorFlow.js ${what}, ${c.name}, ${backend}: max |Δ| steps ${worst.toExponential(2)}, final h ${worstH.toExponential(2)}`);
        expect(worst).toBeLessThanOrEqual(TOLERANCE);
        expect(worstH).toBeLessThanOrEqual(TOLERANCE);
      }
      expect(Math.max(...theirs.h.map(Math.abs))).toBeGreaterThan(0.05);
    });
  });
});
