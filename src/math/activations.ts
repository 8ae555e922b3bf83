/**
 * Where the recurrent ReLU layers stop: h = min(max(s, 0), RELU_CEILING).
 * A ReLU RNN's h has no bound of its own (the recurrence can double it every
 * step), so without a ceiling no load-time check could promise that a step
 * stays finite, and ∞ − ∞ in the next product would turn into NaN. 2^64 is far
 * above anything a working model computes, so it changes no useful result,
 * yet low enough that the layers reading h get a bound (model/weight-bounds.ts).
 */
export const RELU_CEILING = 2 ** 64;

/** Logistic sigmoid 1 / (1 + e^-v), saturating cleanly at both ends. */
export function sigmoid(v: number): number {
  // Split by sign so Math.exp never sees a large positive argument:
  // no Infinity/Infinity, no NaN, for any finite v.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** Slope of the hard sigmoid, TensorFlow.js's and Keras 2's (and ONNX HardSigmoid's default alpha). */
export const HARD_SIGMOID_SLOPE = 0.2;
/** Offset of the hard sigmoid (ONNX HardSigmoid's default beta). */
export const HARD_SIGMOID_OFFSET = 0.5;

/**
 * Hard sigmoid clip(0.2·v + 0.5, 0, 1): the gate activation TensorFlow.js's
 * LSTM and GRU layers use by default (recurrentActivation 'hardSigmoid'), as
 * Keras did before TensorFlow 2. Exactly 0 below −2.5 and 1 above 2.5, so its
 * derivative (0.2 inside, 0 outside) can be read off the output. Cost: a
 * multiply-add and two compares.
 */
export function hardSigmoid(v: number): number {
  const y = HARD_SIGMOID_SLOPE * v + HARD_SIGMOID_OFFSET;
  return y <= 0 ? 0 : y >= 1 ? 1 : y;
}

/**
 * The derivative of a gate activation read from its output y: y·(1 − y) for
 * the sigmoid; for the hard sigmoid 0.2 where it is not clipped (0 < y < 1)
 * and 0 on the clips (as TensorFlow.js's clipByValue passes no gradient
 * beyond its bounds). Cost: a compare and a multiply.
 */
export function gateSlope(y: number, hard: boolean): number {
  return hard ? (y > 0 && y < 1 ? HARD_SIGMOID_SLOPE : 0) : y * (1 - y);
}

/** out[i] = sigmoid(x[i]) for i < length. Returns out. No allocation. */
export function sigmoidInto(out: Float32Array, x: Float32Array, length: number = x.length): Float32Array {
  for (let i = 0; i < length; i++) out[i] = sigmoid(x[i]);
  return out;
}

/** out[i] = tanh(x[i]) for i < length. Returns out. No allocation. */
export function tanhInto(out: Float32Array, x: Float32Array, length: number = x.length): Float32Array {
  for (let i = 0; i < length; i++) out[i] = Math.tanh(x[i]);
  return out;
}

/** out[i] = max(0, x[i]) for i < length. Returns out. No allocation. */
export function reluInto(out: Float32Array, x: Float32Array, length: number = x.length): Float32Array {
  for (let i = 0; i < length; i++) {
    const v = x[i];
    out[i] = v > 0 ? v : 0;
  }
  return out;
}
