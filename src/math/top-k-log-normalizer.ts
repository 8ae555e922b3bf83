import { topKInto } from './top-k.ts';

/**
 * The TypeScript twin of NextTokenKernel.selectInto: writes the indices of
 * the outIds.length (≤ length) largest x[0 … length) into outIds, best first
 * (ties: lower index first), and returns log Σ exp(x[0 … length)), taking
 * the maximum from the selection. Cost: O(length · log k) compares (the
 * topKInto heap) and length exps; no allocation.
 */
export function topKLogNormalizerInto(outIds: Int32Array, x: Float32Array, length: number = x.length): number {
  const k = topKInto(outIds, null, x, length);
  if (k === 0) return -Infinity;
  const max = x[outIds[0]];
  if (!(max > -Infinity) || max === Infinity) return max;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(x[i] - max);
  return max + Math.log(sum);
}
