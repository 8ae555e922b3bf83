import { logSumExp } from './softmax.ts';

/**
 * A factorized (frequency-class) softmax output, as inference reads it: each
 * word w belongs to class classOf[w], and
 * P(w | h) = softmax(Z·h + z)[class(w)] · softmax over the words of that class of the word logits.
 */
export interface OutputClassLayer {
  /** C, the number of classes. */
  readonly classCount: number;
  /** [V] the class of every word, in [0, C). */
  readonly classOf: Int32Array;
  /** Z [C × H], row by row. */
  readonly weight: Float32Array;
  /** z [C]. */
  readonly bias: Float32Array;
}

/** Floats of scratch that {@link classLogProbabilitiesInPlace} needs: 3·C. */
export function classScratchSize(layer: OutputClassLayer): number {
  return 3 * layer.classCount;
}

/**
 * Turns the word logits [V] of a class-factorized output into the full
 * next-word distribution as log probabilities, in place:
 * log P(w|h) = log softmax(Z·h + z)[class(w)] + logits[w] − log Σ_{m ∈ class(w)} exp(logits[m]).
 * h is read at hOffset (the top layer's state). The result is normalized, so
 * it is also a valid set of logits (softmax gives P back). Cost: C·H + 2·V
 * operations and V exps; no allocation (scratch: classScratchSize floats).
 */
export function classLogProbabilitiesInPlace(logits: Float32Array, h: Float32Array, hOffset: number, layer: OutputClassLayer, scratch: Float32Array): Float32Array {
  const C = layer.classCount;
  const V = layer.classOf.length;
  const H = layer.weight.length / C;
  const { classOf, weight, bias } = layer;
  // scratch: class logits at [0, C), per-class maxima (then shifts) at [C, 2C), sums at [2C, 3C);
  // offsets rather than subarrays, so a step allocates nothing.
  const M = C;
  const S = 2 * C;
  for (let c = 0; c < C; c++) {
    let s = bias[c];
    const row = c * H;
    for (let j = 0; j < H; j++) s += weight[row + j] * h[hOffset + j];
    scratch[c] = s;
  }
  const classNorm = logSumExp(scratch, C);
  // Per-class log Σ exp of the word logits, max first for stability.
  scratch.fill(-Infinity, M, M + C);
  for (let w = 0; w < V; w++) {
    const c = M + classOf[w];
    if (logits[w] > scratch[c]) scratch[c] = logits[w];
  }
  scratch.fill(0, S, S + C);
  for (let w = 0; w < V; w++) {
    const c = classOf[w];
    scratch[S + c] += Math.exp(logits[w] - scratch[M + c]);
  }
  // Each class's shift: log P(class) − log Σ_class exp(logit); an empty class is never read.
  for (let c = 0; c < C; c++) scratch[M + c] = scratch[c] - classNorm - scratch[M + c] - Math.log(scratch[S + c]);
  for (let w = 0; w < V; w++) logits[w] += scratch[M + classOf[w]];
  return logits;
}
