// TensorFlow.js 4 (cpu or wasm backend): tf.basicLSTMCell per step in a tidy,
// the state tensors carried, h read back with dataSync as a streaming consumer would.
import { layerWeights } from '../lib/workload.mjs';
import { tfjsName, tfjsOnBackend } from '../lib/tfjs-backend.mjs';

/** options: { backend: 'cpu' | 'wasm' } */
export async function createPeer({ library, hiddenSize, numLayers, inputs, model, options }) {
  const tf = await tfjsOnBackend(options.backend);
  const H = hiddenSize;
  // basicLSTMCell wants kernel [I + H, 4H] with column blocks i, j (candidate), f, o.
  const layers = layerWeights(library, model).map((w) => {
    const I = w.inputSize;
    const kernel = new Float32Array((I + H) * 4 * H);
    const bias = new Float32Array(4 * H);
    const target = [0, 2, 1, 3]; // our i, f, g, o → TF i, j, f, o block
    for (let gate = 0; gate < 4; gate++) {
      for (let j = 0; j < H; j++) {
        const row = gate * H + j;
        const column = target[gate] * H + j;
        for (let k = 0; k < I; k++) kernel[k * 4 * H + column] = w.weightIh[row * I + k];
        for (let k = 0; k < H; k++) kernel[(I + k) * 4 * H + column] = w.weightHh[row * H + k];
        bias[column] = w.bias[row];
      }
    }
    return { kernel: tf.tensor2d(kernel, [I + H, 4 * H]), bias: tf.tensor1d(bias) };
  });
  const forgetBias = tf.scalar(0);
  const xs = inputs.map((x) => tf.tensor2d(x, [1, x.length]));
  let h = [];
  let c = [];
  const reset = () => {
    for (const t of [...h, ...c]) t.dispose();
    h = layers.map(() => tf.zeros([1, H]));
    c = layers.map(() => tf.zeros([1, H]));
  };
  reset();
  const advance = (t) => {
    const next = tf.tidy(() => {
      let input = xs[t % xs.length];
      const out = [];
      for (let l = 0; l < layers.length; l++) {
        const [cNext, hNext] = tf.basicLSTMCell(forgetBias, layers[l].kernel, layers[l].bias, input, c[l], h[l]);
        out.push(cNext, hNext);
        input = hNext;
      }
      return out;
    });
    for (let l = 0; l < layers.length; l++) {
      h[l].dispose();
      c[l].dispose();
      c[l] = next[2 * l];
      h[l] = next[2 * l + 1];
    }
    return h[layers.length - 1].dataSync();
  };
  return {
    describe: tfjsName(tf, options.backend),
    sync: true,
    reset,
    step: advance,
    run(steps, start) {
      let checksum = 0;
      for (let t = start; t < start + steps; t++) checksum += advance(t)[0];
      return checksum;
    },
  };
}
