import { ErrorCode } from '../errors.ts';
import { logSumExp } from '../math/softmax.ts';
import { topKLogNormalizerInto } from '../math/top-k-log-normalizer.ts';
import { kernelBackend, type KernelBackend } from '../math/wasm/kernel-backend.ts';
import { KERNEL_TOP_K_LIMIT, NextTokenKernel } from '../math/wasm/next-token-kernel.ts';
import { TextError } from './errors.ts';

/** One candidate next token. */
export interface Prediction {
  /** The token's string, or null when the model has no vocabulary. */
  readonly token: string | null;
  readonly id: number;
  /** softmax(logits)[id]. */
  readonly probability: number;
}

/**
 * Ranks the k most likely next tokens from logits: selects the k largest
 * logits (no sort of the vocabulary, no probability written per entry) and
 * takes their probabilities from the log-normalizer, in WebAssembly SIMD
 * (NextTokenKernel: its own copy of the logits, 4·size bytes) when that
 * backend is in effect at construction, else in TypeScript; both rank
 * alike and agree on probabilities to about 1e-7 relative. Holds its
 * scratch (ids [k]) so a call allocates only the k result objects and
 * their array. Cost: size exps and about size/4 SIMD compares (WebAssembly)
 * or size·log k compares (TypeScript, and k > 64).
 */
export class NextTokenPredictor {
  readonly size: number;
  private readonly vocabulary: readonly string[] | null;
  private readonly kernel: NextTokenKernel | null;
  private ids: Int32Array; // [k] of the last call; regrown only when k changes

  /** `vocabulary`, when given, must have `size` entries. `backend` defaults to kernelBackend(). */
  constructor(size: number, vocabulary: readonly string[] | null = null, backend: KernelBackend = kernelBackend()) {
    if (!Number.isInteger(size) || size <= 0) {
      throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, `predictor size is ${size}; expected a positive integer`);
    }
    if (vocabulary !== null && vocabulary.length !== size) {
      throw new TextError(ErrorCode.VOCABULARY_INVALID, `vocabulary has ${vocabulary.length} entries, but the logits have ${size}`);
    }
    this.size = size;
    this.vocabulary = vocabulary;
    this.kernel = backend === 'wasm' && kernelBackend() === 'wasm' ? new NextTokenKernel(size) : null;
    this.ids = new Int32Array(0);
  }

  /**
   * The min(k, size) most likely tokens of logits[0 … size), most likely
   * first (ties: lower id first); probability = softmax(logits)[id].
   * Throws TextError (SAMPLING_OPTION_INVALID) when k is not a positive integer.
   */
  predict(logits: Float32Array, k: number): Prediction[] {
    if (!Number.isInteger(k) || k <= 0) {
      throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, `k is ${k}; expected a positive integer`);
    }
    const count = Math.min(k, this.size);
    if (this.ids.length !== count) this.ids = new Int32Array(count);
    const ids = this.ids;
    const logNormalizer = this.selectInto(ids, logits);
    const predictions: Prediction[] = [];
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      predictions.push({ token: this.vocabulary === null ? null : this.vocabulary[id], id, probability: Math.exp(logits[id] - logNormalizer) });
    }
    return predictions;
  }

  /**
   * Writes the ids of the outIds.length (≤ size) largest logits[0 … size)
   * into outIds, best first (ties: lower id first), and returns log Σ exp of
   * the logits: what {@link predict} ranks by, without the results. Cost: on
   * the WebAssembly kernel (up to 64 ids) a copy, size/4 SIMD compares and
   * size SIMD exps, else a TypeScript selection and size exps; no allocation.
   */
  selectInto(outIds: Int32Array, logits: Float32Array): number {
    return this.kernel !== null && outIds.length <= KERNEL_TOP_K_LIMIT ? this.kernel.selectInto(outIds, logits) : topKLogNormalizerInto(outIds, logits, this.size);
  }

  /**
   * Writes log Σ exp(logits[0 … size)) into out[0], through an array so a
   * per-step caller allocates nothing (a double returned from a call may be
   * boxed). Cost: size SIMD exps on the WebAssembly kernel, else size exps;
   * no allocation.
   */
  logNormalizerInto(out: Float64Array, logits: Float32Array): void {
    if (this.kernel !== null) this.kernel.logNormalizerInto(out, logits);
    else out[0] = logSumExp(logits, this.size);
  }
}
