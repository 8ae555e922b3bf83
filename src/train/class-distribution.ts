import { logSumExp } from '../math/softmax.ts';

/**
 * A factorized output as a trained model carries it in
 * `model.metadata.outputClasses` (plain data, so the model file keeps it):
 * the class of every word and the class layer Z as C rows of H numbers, z [C].
 * Z is stored row by row so no metadata list outgrows the model file's
 * per-array limit (65,536 elements by default) for C·H beyond it.
 */
export interface OutputClassesMetadata {
  readonly classCount: number;
  readonly classOf: readonly number[];
  /** Z: C rows of H numbers. */
  readonly weight: readonly (readonly number[])[];
  readonly bias: readonly number[];
}

/**
 * The full next-word distribution of a class-factorized output, as log
 * probabilities: log P(w|h) = log softmax(Z·h + z)[class(w)] + wordLogits[w]
 * − log Σ_{m ∈ class(w)} exp(wordLogits[m]). `wordLogits` [V] is what a
 * Session step returns (the head V·h + b over all words); `h` [H] is the top
 * layer's state after that step (session.h's last row). `out` [V] must not
 * be `wordLogits`. Cost: C·H + 2·V operations plus 2·C floats of `scratch`
 * ([2 × C]); no other allocation.
 * Pure math (imports only math/), so the inference side can carry it.
 */
export function classSoftmaxLogProbabilitiesInto(
  out: Float32Array,
  wordLogits: Float32Array,
  h: Float32Array,
  hOffset: number,
  classes: OutputClassesMetadata,
  scratch: Float32Array,
): Float32Array {
  const C = classes.classCount;
  const V = classes.classOf.length;
  const classLogits = scratch.subarray(0, C);
  const maxima = scratch.subarray(C, 2 * C);
  for (let c = 0; c < C; c++) {
    const row = classes.weight[c];
    let s = classes.bias[c];
    for (let j = 0; j < row.length; j++) s += row[j] * h[hOffset + j];
    classLogits[c] = s;
  }
  const classNorm = logSumExp(classLogits, C);
  // Per-class log Σ exp of the word logits, in two passes (max, then sum) for stability.
  maxima.fill(-Infinity);
  for (let w = 0; w < V; w++) {
    const c = classes.classOf[w];
    if (wordLogits[w] > maxima[c]) maxima[c] = wordLogits[w];
  }
  out.fill(0, 0, C);
  for (let w = 0; w < V; w++) {
    const c = classes.classOf[w];
    out[c] += Math.exp(wordLogits[w] - maxima[c]);
  }
  for (let c = 0; c < C; c++) {
    // Reuse maxima for the class's log-normaliser: log P(class) − log Σ_class exp(u).
    maxima[c] = classLogits[c] - classNorm - (maxima[c] + Math.log(out[c]));
  }
  for (let w = 0; w < V; w++) out[w] = wordLogits[w] + maxima[classes.classOf[w]];
  return out;
}
