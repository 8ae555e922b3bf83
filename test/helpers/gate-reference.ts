import type { GateActivation, Model } from '../../src/index.ts';

// An LSTM / GRU / Elman stack computed in f64 straight from the equations,
// apart from the library's cells and kernels, with each layer's own gate
// activation, kind and size: the reference the hard-sigmoid and mixed-stack
// tests compare against.

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const hard = (v: number): number => Math.min(1, Math.max(0, 0.2 * v + 0.5));

/** The gate function of an activation. */
export function gateFunction(activation: GateActivation): (v: number) => number {
  return activation === 'hard-sigmoid' ? hard : sigmoid;
}

/**
 * Every step's output (head, or top h without one) of `model` over `inputs`
 * (token ids or dense rows), state carried, in f64 from the model's f32
 * weights. `gates[l]` overrides layer l's gate activation (default: the
 * layer's own); `onGate` sees every gate value computed (layer, value).
 */
export function referenceOutputs(
  model: Model,
  inputs: { tokens: number[]; rows: Float32Array[] },
  gates?: readonly GateActivation[],
  onGate?: (layer: number, value: number) => void,
): number[][] {
  const a = model.architecture;
  const weights = model.layers.map((layer) => layer.weight.toFloat32());
  // Each layer of its own size (a mixed stack): its h and C are its own width.
  const h = model.layers.map((layer) => new Float64Array(layer.hiddenSize));
  const c = model.layers.map((layer) => new Float64Array(layer.hiddenSize));
  const embedding = model.embedding?.toFloat32() ?? null;
  const head = model.head === null ? null : { weight: model.head.weight.toFloat32(), bias: model.head.bias };
  return inputs.tokens.map((token, t) => {
    let x: ArrayLike<number> = embedding !== null ? embedding.subarray(token * a.inputSize, (token + 1) * a.inputSize) : inputs.rows[t];
    model.layers.forEach((layer, l) => {
      const I = layer.inputSize;
      const H = layer.hiddenSize;
      const W = weights[l];
      const b = layer.bias;
      const activation = gateFunction(gates?.[l] ?? layer.gateActivation);
      const gate = (v: number): number => {
        const value = activation(v);
        onGate?.(l, value);
        return value;
      };
      const row = (r: number, from: number, width: number, v: ArrayLike<number>): number => {
        let sum = 0;
        for (let k = 0; k < width; k++) sum += W[r * (I + H) + from + k] * v[k];
        return sum;
      };
      const previous = h[l];
      const next = new Float64Array(H);
      if (layer.kind === 'lstm') {
        for (let j = 0; j < H; j++) {
          const pre = (g: number): number => row(g * H + j, 0, I, x) + row(g * H + j, I, H, previous) + b[g * H + j];
          const i = gate(pre(0));
          const f = gate(pre(1));
          const g = Math.tanh(pre(2));
          const o = gate(pre(3));
          c[l][j] = f * c[l][j] + i * g;
          next[j] = o * Math.tanh(c[l][j]);
        }
      } else if (layer.kind === 'gru' || layer.kind === 'gru-reset-before') {
        const r = Array.from({ length: H }, (_, j) => gate(row(j, 0, I, x) + b[j] + row(j, I, H, previous) + b[3 * H + j]));
        const resetH = Array.from(previous, (v, j) => r[j] * v);
        for (let j = 0; j < H; j++) {
          const z = gate(row(H + j, 0, I, x) + b[H + j] + row(H + j, I, H, previous) + b[4 * H + j]);
          const inputN = row(2 * H + j, 0, I, x) + b[2 * H + j];
          const n =
            layer.kind === 'gru'
              ? Math.tanh(inputN + r[j] * (row(2 * H + j, I, H, previous) + b[5 * H + j]))
              : Math.tanh(inputN + row(2 * H + j, I, H, resetH) + b[5 * H + j]);
          next[j] = (1 - z) * n + z * previous[j];
        }
      } else {
        for (let j = 0; j < H; j++) {
          const s = row(j, 0, I, x) + row(j, I, H, previous) + b[j];
          next[j] = layer.kind === 'rnn-relu' ? Math.max(0, s) : Math.tanh(s);
        }
      }
      h[l] = next;
      x = next;
    });
    if (head === null) return Array.from(x);
    const H = x.length; // the top layer's size
    return Array.from({ length: a.outputSize }, (_, v) => {
      let sum = head.bias[v];
      for (let j = 0; j < H; j++) sum += head.weight[v * H + j] * x[j];
      return sum;
    });
  });
}
