/** Logistic sigmoid 1 / (1 + e^-v), saturating cleanly at both ends. */
export function sigmoid(v: number): number {
  // Split by sign so Math.exp never sees a large positive argument:
  // no Infinity/Infinity, no NaN, for any finite v.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
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
