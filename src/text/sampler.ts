import { ErrorCode } from '../errors.ts';
import { SeededRandom } from '../math/random.ts';
import { softmaxInto } from '../math/softmax.ts';
import { topKInto } from '../math/top-k.ts';
import { TextError } from './errors.ts';

/** How to draw the next token from logits. */
export interface SamplingOptions {
  /** Logits are divided by it before the softmax; 0 means greedy (always the most likely). Default 1. */
  readonly temperature?: number;
  /** Keep only the k most likely tokens; 0 keeps all. Default 0. */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (nucleus sampling); 1 keeps all. Default 1. */
  readonly topP?: number;
  /** PRNG seed: the same seed and logits give the same draws on every runtime. Default 1. */
  readonly seed?: number;
  /** Token ids never drawn (e.g. the unknown token). Default none. */
  readonly exclude?: readonly number[];
}

/**
 * Draws token ids from logits with temperature, top-k and top-p, from a
 * seeded PRNG. All scratch (probabilities [size], candidate order [size]) is
 * allocated here once; `sample` allocates nothing. Cost per draw: one softmax
 * over `size`, plus O(size·log m) to rank the m candidates when top-k or top-p is set.
 */
export class Sampler {
  readonly size: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  private readonly random: SeededRandom;
  private readonly probabilities: Float32Array; // [size]
  private readonly order: Int32Array; // [min(topK, size)] or [size]: candidate ids, most likely first
  private readonly best: Int32Array; // [1]: the argmax for greedy decoding
  private readonly excluded: Int32Array; // ids never drawn

  /** Throws TextError (SAMPLING_OPTION_INVALID) naming the bad option. */
  constructor(size: number, options: SamplingOptions = {}) {
    const temperature = options.temperature ?? 1;
    const topK = options.topK ?? 0;
    const topP = options.topP ?? 1;
    const seed = options.seed ?? 1;
    const fail = (what: string): never => {
      throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, what);
    };
    if (!Number.isInteger(size) || size <= 0) fail(`sampler size is ${size}; expected a positive integer (the vocabulary size)`);
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) fail(`temperature is ${temperature}; expected a finite number ≥ 0`);
    if (!Number.isInteger(topK) || topK < 0) fail(`topK is ${topK}; expected an integer ≥ 0`);
    if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) fail(`topP is ${topP}; expected a number in (0, 1]`);
    if (!Number.isFinite(seed)) fail(`seed is ${seed}; expected a finite number`);
    const exclude = options.exclude ?? [];
    for (const id of exclude) if (!Number.isInteger(id) || id < 0 || id >= size) fail(`exclude has ${id}; expected token ids in [0, ${size})`);
    if (exclude.length >= size) fail(`exclude lists ${exclude.length} ids; at least one of the ${size} tokens must stay drawable`);
    this.size = size;
    this.temperature = temperature;
    this.topK = topK;
    this.topP = topP;
    this.random = new SeededRandom(seed);
    this.probabilities = new Float32Array(size);
    this.order = new Int32Array(topK > 0 ? Math.min(topK, size) : size);
    this.best = new Int32Array(1);
    this.excluded = Int32Array.from(exclude);
  }

  /** A token id drawn from logits[0 … size). No allocation. */
  sample(logits: Float32Array): number {
    const size = this.size;
    const probabilities = this.probabilities;
    const excluded = this.excluded;
    if (this.temperature === 0) {
      if (excluded.length === 0) {
        topKInto(this.best, null, logits, size);
        return this.best[0];
      }
      for (let i = 0; i < size; i++) probabilities[i] = logits[i];
      for (let i = 0; i < excluded.length; i++) probabilities[excluded[i]] = -Infinity;
      topKInto(this.best, null, probabilities, size);
      return this.best[0];
    }
    const scale = 1 / this.temperature;
    for (let i = 0; i < size; i++) probabilities[i] = logits[i] * scale;
    for (let i = 0; i < excluded.length; i++) probabilities[excluded[i]] = -Infinity;
    softmaxInto(probabilities, probabilities, size);
    if (this.topK === 0 && this.topP === 1) return this.drawFromAll();
    return this.drawFromTop();
  }

  private drawFromAll(): number {
    const probabilities = this.probabilities;
    let remaining = this.random.next();
    for (let i = 0; i < this.size; i++) {
      remaining -= probabilities[i];
      if (remaining < 0) return i;
    }
    // Rounding left a sliver of mass past the end: give it to the last token with any.
    for (let i = this.size - 1; i > 0; i--) if (probabilities[i] > 0) return i;
    return 0;
  }

  private drawFromTop(): number {
    const probabilities = this.probabilities;
    const order = this.order;
    const candidates = topKInto(order, null, probabilities, this.size);
    // Nucleus: the shortest prefix of the ranked candidates whose mass reaches topP.
    let kept = candidates;
    let mass = 0;
    for (let i = 0; i < candidates; i++) {
      mass += probabilities[order[i]];
      if (mass >= this.topP) {
        kept = i + 1;
        break;
      }
    }
    let total = 0;
    for (let i = 0; i < kept; i++) total += probabilities[order[i]];
    let remaining = this.random.next() * total;
    for (let i = 0; i < kept; i++) {
      remaining -= probabilities[order[i]];
      if (remaining < 0) return order[i];
    }
    return order[kept - 1];
  }
}
