// Writes an ONNX model of a GRU stack for one step, like onnx-lstm-model.mjs:
// inputs X [1, 1, I] and h0_l [1, 1, H] per layer; outputs h_l [1, 1, H].
// One ONNX GRU node per layer, linear_before_reset = 1 for our `gru`
// (PyTorch's variant) and 0 for `gru-reset-before` (Keras's, TF.js's).
import { modelBytes, node, tensor, valueInfo } from './onnx-lstm-model.mjs';

/**
 * The model bytes for layers of { inputSize, hiddenSize, weightIh [3H×I],
 * weightHh [3H×H], biasIh [3H], biasHh [3H], resetAfter } in gate order
 * r, z, n (workload.mjs gruLayerWeights); ONNX wants z, r, h.
 */
export function onnxGruModel(layers) {
  const H = layers[0].hiddenSize;
  const order = [1, 0, 2]; // ONNX block k takes our block order[k]
  const nodes = [];
  const initializers = [];
  const inputs = [valueInfo('X', [1, 1, layers[0].inputSize])];
  const outputs = [];
  layers.forEach((w, l) => {
    const I = w.inputSize;
    const W = new Float32Array(3 * H * I);
    const R = new Float32Array(3 * H * H);
    const B = new Float32Array(6 * H); // Wb [3H] then Rb [3H]
    for (let k = 0; k < 3; k++) {
      const from = order[k] * H;
      W.set(w.weightIh.subarray(from * I, (from + H) * I), k * H * I);
      R.set(w.weightHh.subarray(from * H, (from + H) * H), k * H * H);
      B.set(w.biasIh.subarray(from, from + H), k * H);
      B.set(w.biasHh.subarray(from, from + H), 3 * H + k * H);
    }
    initializers.push(tensor(`W${l}`, [1, 3 * H, I], W), tensor(`R${l}`, [1, 3 * H, H], R), tensor(`B${l}`, [1, 6 * H], B));
    inputs.push(valueInfo(`h0_${l}`, [1, 1, H]));
    outputs.push(valueInfo(`h_${l}`, [1, 1, H]));
    const x = l === 0 ? 'X' : `h_${l - 1}`;
    nodes.push(
      node('GRU', `gru${l}`, [x, `W${l}`, `R${l}`, `B${l}`, '', `h0_${l}`], ['', `h_${l}`], [
        { name: 'hidden_size', value: H },
        { name: 'linear_before_reset', value: w.resetAfter ? 1 : 0 },
      ]),
    );
  });
  return modelBytes('gru_step', nodes, initializers, inputs, outputs);
}
