/**
 * out = softmax(x[0 … length)), computed stably (max subtracted first).
 * out may be x. Returns out. Cost: length exps, no allocation.
 */
export function softmaxInto(out: Float32Array, x: Float32Array, length: number = x.length): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < length; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const e = Math.exp(x[i] - max);
    out[i] = e;
    sum += e;
  }
  const scale = 1 / sum;
  for (let i = 0; i < length; i++) out[i] *= scale;
  return out;
}

/** log Σ exp(x[i]) over i < length, computed stably. No allocation. */
export function logSumExp(x: Float32Array, length: number = x.length): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) if (x[i] > max) max = x[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(x[i] - max);
  return max + Math.log(sum);
}

/**
 * out = log softmax(x[0 … length)) = x - logSumExp(x). out may be x.
 * Returns out. Cost: length exps, no allocation.
 */
export function logSoftmaxInto(out: Float32Array, x: Float32Array, length: number = x.length): Float32Array {
  const lse = logSumExp(x, length);
  for (let i = 0; i < length; i++) out[i] = x[i] - lse;
  return out;
}
