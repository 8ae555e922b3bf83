import { matVecInto } from '../math/matvec.ts';
import { logSumExp, softmaxInto } from '../math/softmax.ts';
import { kernelBackend } from '../math/wasm/kernel-backend.ts';
import { MatVecKernel } from '../math/wasm/matvec-kernel.ts';
import type { ResolvedCacheOptions } from './cache-options.ts';

/**
 * A ring of the last W top-layer states h_i with the token x_{i+1} that
 * followed each, and the mixture of the model's next-token distribution with
 * the cache's (Grave et al. 2017): p(w) = (1 − λ)·p_model(w) + λ·p_cache(w),
 * p_cache(w) = Σ_{i: x_{i+1} = w} a_i, a = softmax_i(θ·h_t·h_i). The unigram
 * kind weighs every entry 1/n. The W dot products run on the WebAssembly SIMD
 * matrix-vector kernel (the states live in its memory), else in TypeScript.
 * Everything is allocated here; record and mixInPlace allocate nothing.
 * Memory: 4·W·(H + 3) + 4·V bytes (unigram: 4·(3W + V)).
 */
export class ContinuousCache {
  readonly kind: 'continuous' | 'unigram';
  /** W. */
  readonly capacity: number;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly theta: number;
  readonly lambda: number;
  /** Entries held (≤ capacity). */
  count = 0;
  /** [W] the token that followed each entry's state, by ring slot. */
  readonly tokens: Int32Array;
  /** [W] per ring slot: an index into the session's new-word table, or −1. */
  readonly newWordIndices: Int32Array;
  /**
   * [W] per ring slot, after mixInPlace: the entry's weight a_i in p_cache
   * (they sum to 1 over the entries held). New words share the unknown token's
   * probability by these.
   */
  readonly weights: Float32Array;
  /**
   * log of the sum of exp over the last mixInPlace's output: log p(w) of the
   * mixture is output[w] − logNormalizer.
   */
  logNormalizer = 0;
  /** [W × H] states by ring slot: a view of the kernel's memory, or a plain array. */
  private readonly states: Float32Array;
  private readonly kernel: MatVecKernel | null;
  /** [V] p_cache accumulated per token during mixInPlace; zero between calls. */
  private readonly mass: Float32Array;
  /** The ring slot the next entry goes to. */
  private next = 0;

  /** Allocates the ring for a model of hidden size H and V outputs. Cold path. */
  constructor(options: ResolvedCacheOptions, hiddenSize: number, vocabSize: number) {
    this.kind = options.kind;
    this.capacity = options.size;
    this.theta = options.theta;
    this.lambda = options.lambda;
    this.hiddenSize = hiddenSize;
    this.vocabSize = vocabSize;
    const W = this.capacity;
    this.tokens = new Int32Array(W);
    this.newWordIndices = new Int32Array(W).fill(-1);
    this.weights = new Float32Array(W);
    this.mass = new Float32Array(vocabSize);
    if (this.kind === 'unigram') {
      this.kernel = null;
      this.states = new Float32Array(0);
    } else if (kernelBackend() === 'wasm') {
      this.kernel = new MatVecKernel(W, hiddenSize, new Float32Array(0), null);
      this.states = this.kernel.weight;
    } else {
      this.kernel = null;
      this.states = new Float32Array(W * hiddenSize);
    }
  }

  /** Bytes this cache holds (states, tokens, weights and the per-token scratch). */
  get byteLength(): number {
    return 4 * (3 * this.capacity + this.vocabSize) + (this.kernel === null ? this.states.byteLength : this.kernel.byteLength);
  }

  /**
   * Adds an entry: the top-layer state h [H] that was current just before
   * `token` was read, and the token; the oldest entry goes once W are held.
   * `newWord` is the new-word index when the writer typed a word the model
   * reads as the unknown token, else −1. Cost: H copies; no allocation.
   */
  record(h: Float32Array, token: number, newWord = -1): void {
    const slot = this.next;
    this.tokens[slot] = token;
    this.newWordIndices[slot] = newWord;
    if (this.kind === 'continuous') {
      const H = this.hiddenSize;
      const states = this.states;
      const base = slot * H;
      for (let j = 0; j < H; j++) states[base + j] = h[j];
    }
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * Turns the model's logits [V] into logits of the mixture, in place: every
   * token the cache holds gets log(exp(logit) + λ/(1 − λ)·p_cache·Σexp(logits)),
   * the rest stay as they are, so softmax(logits) is the mixture and
   * logNormalizer its log-normalizer. h [H] is the current top-layer state.
   * `modelLogNormalizer[0]`, when given, is log Σ exp(logits) (the caller's
   * WebAssembly selection computes it with SIMD exps; an array, because a
   * double passed to a call may be boxed), else it is computed here. Fills
   * {@link weights}. Cost: V exps for the model's normalizer unless given,
   * n·H multiply-adds (continuous) and O(n) for the n entries; no allocation.
   */
  mixInPlace(logits: Float32Array, h: Float32Array, modelLogNormalizer: Float64Array | null = null): Float32Array {
    const n = this.count;
    const lse = modelLogNormalizer !== null ? modelLogNormalizer[0] : logSumExp(logits, this.vocabSize);
    if (n === 0 || this.lambda === 0) {
      this.logNormalizer = lse;
      return logits;
    }
    this.attend(h, n);
    const weights = this.weights;
    const tokens = this.tokens;
    const mass = this.mass;
    for (let i = 0; i < n; i++) mass[tokens[i]] += weights[i];
    // In units of the model's unnormalised probabilities exp(logit): λ/(1 − λ)·Σexp(logits).
    const logScale = Math.log(this.lambda / (1 - this.lambda)) + lse;
    for (let i = 0; i < n; i++) {
      const w = tokens[i];
      const m = mass[w];
      if (m === 0) continue;
      mass[w] = 0;
      const logit = logits[w];
      const added = Math.log(m) + logScale;
      // log(exp(logit) + exp(added)), stably.
      logits[w] = logit > added ? logit + Math.log1p(Math.exp(added - logit)) : added + Math.log1p(Math.exp(logit - added));
    }
    this.logNormalizer = lse - Math.log1p(-this.lambda);
    return logits;
  }

  /** Empties the ring. No allocation. */
  clear(): void {
    this.count = 0;
    this.next = 0;
    this.newWordIndices.fill(-1);
  }

  /** The ring slot of the i-th oldest entry (0 ≤ i < count). */
  slotOf(i: number): number {
    return this.count < this.capacity ? i : (this.next + i) % this.capacity;
  }

  /** The state of the entry in ring slot `slot`, as a view [H] (continuous only). */
  stateView(slot: number): Float32Array {
    const H = this.hiddenSize;
    return this.states.subarray(slot * H, slot * H + H);
  }

  /** weights[i] = a_i for the n entries held. */
  private attend(h: Float32Array, n: number): void {
    const weights = this.weights;
    if (this.kind === 'unigram') {
      const share = 1 / n;
      for (let i = 0; i < n; i++) weights[i] = share;
      return;
    }
    const H = this.hiddenSize;
    if (this.kernel !== null) this.kernel.multiplyRowsInto(weights, h, n);
    else matVecInto(weights, this.states, n, H, h, 0, null);
    const theta = this.theta;
    for (let i = 0; i < n; i++) weights[i] *= theta;
    softmaxInto(weights, weights, n);
  }
}
