import { beforeAll, describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom } from '../../src/index.ts';
import { lossAndGradients } from '../../src/train/index.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { kerasBias, kerasKernel, torchPartsOf } from '../helpers/gru-cases.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { tfjsOnCpu, type Tf } from '../helpers/tfjs.ts';

// Issue 16, must-show 2 (second half): our GRU's BPTT gradients against
// TensorFlow.js's automatic differentiation (tf.grads, cpu backend, float32)
// of the same network and loss: embedding → 2 GRU layers → softmax head,
// mean cross-entropy over the sequence from a zero state. The network is
// written in TensorFlow.js ops (Keras's layout: kernel [I, 3H], gates z, r, h;
// both biases kept, so each half's gradient is checked), one per variant.
const V = 11;
const I = 5;
const H = 7;
const STEPS = 12;
const TOLERANCE = 1e-4;

type Tensor = InstanceType<Tf['Tensor']>;
let tf: Tf;

beforeAll(async () => {
  tf = await tfjsOnCpu();
}, 60_000);

describe.each(['gru', 'gru-reset-before'] as const)('%s gradients against tf.grads', (cell) => {
  it('every parameter tensor within 1e-4, and the loss', () => {
    const model = createRandomModel({ cell, input: 'embedding', vocabSize: V, inputSize: I, hiddenSize: H, numLayers: 2, head: 'softmax', outputSize: V }, { seed: 13, embeddingScale: 0.8 });
    const random = new SeededRandom(17);
    const inputs = Array.from({ length: STEPS }, () => random.integer(V));
    const targets = Array.from({ length: STEPS }, () => random.integer(V));
    const ours = lossAndGradients(model, inputs, targets);

    // Parameters in Keras's layout: embedding, per layer kernel, recurrent kernel, input bias, recurrent bias; head [H, V], bias.
    const layerTensors = [0, 1].flatMap((l) => {
      const p = torchPartsOf(model, l);
      return [
        tf.tensor2d(kerasKernel(p.weightIh, p.I, H), [p.I, 3 * H]),
        tf.tensor2d(kerasKernel(p.weightHh, H, H), [H, 3 * H]),
        tf.tensor1d(kerasBias(p.biasIh, H)),
        tf.tensor1d(kerasBias(p.biasHh, H)),
      ];
    });
    const head = model.head!.weight.toFloat32();
    const headT = new Float32Array(H * V);
    for (let v = 0; v < V; v++) for (let j = 0; j < H; j++) headT[j * V + v] = head[v * H + j];
    const parameters = [tf.tensor2d(model.embedding!.toFloat32(), [V, I]), ...layerTensors, tf.tensor2d(headT, [H, V]), tf.tensor1d(model.head!.bias.slice())];
    const targetOneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), V).asType('float32');

    const lossOf = (...p: Tensor[]): Tensor => {
      const [embedding, ...rest] = p;
      const layers = [rest.slice(0, 4), rest.slice(4, 8)];
      const [headWeight, headBias] = rest.slice(8);
      let states: Tensor[] = [tf.zeros([1, H]), tf.zeros([1, H])];
      const logits: Tensor[] = [];
      for (let t = 0; t < STEPS; t++) {
        let x: Tensor = tf.gather(embedding, [inputs[t]]);
        states = layers.map(([kernel, recurrentKernel, inputBias, recurrentBias], l) => {
          const h = states[l];
          const [xZ, xR, xH] = tf.split(tf.add(tf.matMul(x, kernel), inputBias), 3, 1);
          const [rkZR, rkH] = tf.split(recurrentKernel, [2 * H, H], 1);
          const [bZR, bH] = tf.split(recurrentBias, [2 * H, H], 0);
          const [uZ, uR] = tf.split(tf.add(tf.matMul(h, rkZR), bZR), 2, 1);
          const z = tf.sigmoid(tf.add(xZ, uZ));
          const r = tf.sigmoid(tf.add(xR, uR));
          const candidate =
            cell === 'gru'
              ? tf.tanh(tf.add(xH, tf.mul(r, tf.add(tf.matMul(h, rkH), bH))))
              : tf.tanh(tf.add(xH, tf.add(tf.matMul(tf.mul(r, h), rkH), bH)));
          const next = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
          x = next;
          return next;
        });
        logits.push(tf.add(tf.matMul(x, headWeight), headBias));
      }
      const all = tf.concat(logits, 0); // [STEPS × V]
      return tf.mean(tf.sub(tf.logSumExp(all, 1), tf.sum(tf.mul(all, targetOneHot), 1)));
    };
    const theirLoss = (lossOf(...parameters).dataSync() as Float32Array)[0];
    const grads = tf.grads(lossOf)(parameters);
    const g = grads.map((t) => t.dataSync() as Float32Array);

    const d = ours.gradients;
    const worst: Record<string, number> = {};
    worst['embedding'] = maxAbsDiff(d.embedding!.toFloat32(), g[0]);
    for (const l of [0, 1]) {
      const p = torchPartsOf(d, l);
      worst[`layer ${l} kernel (W_i)`] = maxAbsDiff(kerasKernel(p.weightIh, p.I, H), g[1 + 4 * l]);
      worst[`layer ${l} recurrent kernel (W_h)`] = maxAbsDiff(kerasKernel(p.weightHh, H, H), g[2 + 4 * l]);
      worst[`layer ${l} b_ih`] = maxAbsDiff(kerasBias(p.biasIh, H), g[3 + 4 * l]);
      worst[`layer ${l} b_hh`] = maxAbsDiff(kerasBias(p.biasHh, H), g[4 + 4 * l]);
    }
    const dHead = d.head!.weight.toFloat32();
    const dHeadT = new Float32Array(H * V);
    for (let v = 0; v < V; v++) for (let j = 0; j < H; j++) dHeadT[j * V + v] = dHead[v * H + j];
    worst['head weight'] = maxAbsDiff(dHeadT, g[9]);
    worst['head bias'] = maxAbsDiff(d.head!.bias, g[10]);
    console.log(`${runtimeName()}, ${cell}: loss ours ${ours.loss.toFixed(6)} tf ${theirLoss.toFixed(6)}; max |ours − tf.grads| ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
    expect(Math.abs(ours.loss - theirLoss)).toBeLessThan(1e-5);
    for (const [name, value] of Object.entries(worst)) expect(value, name).toBeLessThan(TOLERANCE);
    // A meaningful comparison: the gradients are far from zero.
    expect(Math.max(...g[2].map(Math.abs))).toBeGreaterThan(1e-3);
    tf.dispose([...parameters, targetOneHot, ...grads]);
  });
});
