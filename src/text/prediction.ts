import { ErrorCode } from '../errors.ts';
import { softmaxInto } from '../math/softmax.ts';
import { topKInto } from '../math/top-k.ts';
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
 * Ranks the k most likely next tokens from logits. Holds its scratch
 * (probabilities [size], ids [maxK]) so a call allocates only the k result
 * objects. Cost: one softmax over size plus O(size·log k).
 */
export class NextTokenPredictor {
  readonly size: number;
  private readonly vocabulary: readonly string[] | null;
  private readonly probabilities: Float32Array; // [size]
  private ids: Int32Array; // [k] of the last call; regrown only when k grows

  /** `vocabulary`, when given, must have `size` entries. */
  constructor(size: number, vocabulary: readonly string[] | null = null) {
    if (!Number.isInteger(size) || size <= 0) {
      throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, `predictor size is ${size}; expected a positive integer`);
    }
    if (vocabulary !== null && vocabulary.length !== size) {
      throw new TextError(ErrorCode.VOCABULARY_INVALID, `vocabulary has ${vocabulary.length} entries, but the logits have ${size}`);
    }
    this.size = size;
    this.vocabulary = vocabulary;
    this.probabilities = new Float32Array(size);
    this.ids = new Int32Array(0);
  }

  /**
   * The min(k, size) most likely tokens, most likely first (ties: lower id
   * first). Throws TextError (SAMPLING_OPTION_INVALID) when k is not a positive integer.
   */
  predict(logits: Float32Array, k: number): Prediction[] {
    if (!Number.isInteger(k) || k <= 0) {
      throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, `k is ${k}; expected a positive integer`);
    }
    const count = Math.min(k, this.size);
    if (this.ids.length !== count) this.ids = new Int32Array(count);
    softmaxInto(this.probabilities, logits, this.size);
    topKInto(this.ids, null, this.probabilities, this.size);
    const predictions: Prediction[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.ids[i];
      predictions.push({ token: this.vocabulary === null ? null : this.vocabulary[id], id, probability: this.probabilities[id] });
    }
    return predictions;
  }
}
