// TensorFlow.js 4 (cpu or wasm backend) GRU, stepped once per token with the
// state tensor carried and h read back with dataSync as a streaming consumer
// would. TF.js has no GRU op (for the LSTM, tfjs.mjs uses tf.basicLSTMCell),
// so two ways:
//   mode 'layers': the GRUCell of tf.layers (what tf.layers.gru runs at every
//     time step) called on [x, h]. It supports reset_after = false only (our
//     `gru-reset-before`); the logistic sigmoid is set for the gates (TF.js's
//     default is the hard sigmoid).
//   mode 'ops': the same equations written by hand in tf ops with the weights
//     split once beforehand (two or three matMuls, then the element-wise
//     gates), either variant: what a TF.js user could do at best without a
//     GRU kernel.
import { gruLayerWeights } from '../lib/workload.mjs';
import { tfjsName, tfjsOnBackend } from '../lib/tfjs-backend.mjs';

/** options: { backend: 'cpu' | 'wasm', mode: 'layers' | 'ops' } */
export async function createPeer({ hiddenSize, inputs, model, options }) {
  const tf = await tfjsOnBackend(options.backend);
  const H = hiddenSize;
  const weights = gruLayerWeights(model);
  const resetAfter = weights[0].resetAfter;
  const steppers = weights.map((w) => (options.mode === 'ops' ? opsLayer(tf, w) : layersCell(tf, w)));
  const xs = inputs.map((x) => tf.tensor2d(x, [1, x.length]));
  let h = [];
  const reset = () => {
    for (const t of h) t.dispose();
    h = steppers.map(() => tf.zeros([1, H]));
  };
  reset();
  const advance = (t) => {
    const next = tf.tidy(() => {
      let input = xs[t % xs.length];
      const out = [];
      for (let l = 0; l < steppers.length; l++) {
        const hNext = steppers[l](input, h[l]);
        out.push(hNext);
        input = hNext;
      }
      return out;
    });
    for (let l = 0; l < steppers.length; l++) {
      h[l].dispose();
      h[l] = next[l];
    }
    return h[steppers.length - 1].dataSync();
  };
  const how = options.mode === 'ops' ? `GRU in tf ops (reset ${resetAfter ? 'after' : 'before'})` : 'tf.layers GRUCell (reset_after false)';
  return {
    describe: `${tfjsName(tf, options.backend)}, ${how}`,
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

/** Rows [from, from + count) of a row-major [rows × cols] matrix, transposed to [cols × count] (tf's x·W layout). */
function transposedRows(tf, data, cols, from, count) {
  const out = new Float32Array(cols * count);
  for (let r = 0; r < count; r++) for (let k = 0; k < cols; k++) out[k * count + r] = data[(from + r) * cols + k];
  return tf.tensor2d(out, [cols, count]);
}

/** tf.layers' GRUCell with our weights (Keras layout: kernel [I, 3H], recurrent kernel [H, 3H], bias [3H], blocks z, r, h). */
function layersCell(tf, w) {
  if (w.resetAfter) throw new Error('TF.js GRUCell supports reset_after = false only (cell gru-reset-before)');
  const I = w.inputSize;
  const H = w.hiddenSize;
  const kernel = new Float32Array(I * 3 * H);
  const recurrent = new Float32Array(H * 3 * H);
  const bias = new Float32Array(3 * H);
  const target = [1, 0, 2]; // our r, z, n → Keras block z, r, h
  for (let gate = 0; gate < 3; gate++) {
    for (let j = 0; j < H; j++) {
      const row = gate * H + j;
      const column = target[gate] * H + j;
      for (let k = 0; k < I; k++) kernel[k * 3 * H + column] = w.weightIh[row * I + k];
      for (let k = 0; k < H; k++) recurrent[k * 3 * H + column] = w.weightHh[row * H + k];
      // b_hn is outside r in the reset-before variant, so it folds into b_in like the others.
      bias[column] = w.biasIh[row] + w.biasHh[row];
    }
  }
  // Zero initializers: the weights are set below, and the default orthogonal one is slow at H = 512.
  const cell = tf.layers.gruCell({ units: H, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false, kernelInitializer: 'zeros', recurrentInitializer: 'zeros' });
  cell.build([1, I]);
  cell.setWeights([tf.tensor2d(kernel, [I, 3 * H]), tf.tensor2d(recurrent, [H, 3 * H]), tf.tensor1d(bias)]);
  return (x, h) => cell.call([x, h], {})[0];
}

/** The GRU equations in tf ops (src/cells/gru-cell.ts), weights split and transposed once. */
function opsLayer(tf, w) {
  const I = w.inputSize;
  const H = w.hiddenSize;
  const Wx = transposedRows(tf, w.weightIh, I, 0, 3 * H); // [I, 3H] r, z, n
  if (w.resetAfter) {
    const Wh = transposedRows(tf, w.weightHh, H, 0, 3 * H); // [H, 3H]
    const bx = tf.tensor1d(w.biasIh);
    const bh = tf.tensor1d(w.biasHh);
    return (x, h) => {
      const [xr, xz, xn] = tf.split(tf.add(tf.matMul(x, Wx), bx), 3, 1);
      const [hr, hz, hn] = tf.split(tf.add(tf.matMul(h, Wh), bh), 3, 1);
      const r = tf.sigmoid(tf.add(xr, hr));
      const z = tf.sigmoid(tf.add(xz, hz));
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      return tf.add(n, tf.mul(z, tf.sub(h, n))); // (1 − z)·n + z·h
    };
  }
  const Whrz = transposedRows(tf, w.weightHh, H, 0, 2 * H); // [H, 2H]
  const Whn = transposedRows(tf, w.weightHh, H, 2 * H, H); // [H, H]
  // Every hidden bias is outside r here, so all fold into the input bias.
  const bias = new Float32Array(3 * H);
  for (let i = 0; i < 3 * H; i++) bias[i] = w.biasIh[i] + w.biasHh[i];
  const bx = tf.tensor1d(bias);
  return (x, h) => {
    const [xr, xz, xn] = tf.split(tf.add(tf.matMul(x, Wx), bx), 3, 1);
    const [hr, hz] = tf.split(tf.matMul(h, Whrz), 2, 1);
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.matMul(tf.mul(r, h), Whn)));
    return tf.add(n, tf.mul(z, tf.sub(h, n)));
  };
}
