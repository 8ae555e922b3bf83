import { ErrorCode } from '../errors.ts';
import { hiddenOffsetOf, topHiddenSize } from '../model/architecture.ts';
import { logSumExp } from '../math/softmax.ts';
import { checkToken } from '../model/check-token.ts';
import type { Model } from '../model/model.ts';
import { Session } from '../model/session.ts';
import { tokenizerOf } from '../text/create-tokenizer.ts';
import { predictorOf } from '../text/predict-next.ts';
import type { NextTokenPredictor, Prediction } from '../text/prediction.ts';
import type { Tokenizer } from '../text/tokenizer.ts';
import { AdaptError } from './adapt-error.ts';
import type { AdaptationOptions } from './adaptation-options.ts';
import { resolveCacheOptions } from './cache-options.ts';
import { ContinuousCache } from './continuous-cache.ts';
import { modelAdaptationDefaults } from './model-defaults.ts';
import { NewWordTable } from './new-words.ts';
import type { WeightAdaptation } from './weight-adaptation.ts';

/**
 * Tokens after which a sentence starts, as the Brown corpus writes them: its
 * ends (". ? !"), a paragraph mark, an opening quote. A capitalized known
 * word there is that word, not a new one.
 */
const SENTENCE_START_AFTER: readonly string[] = ['.', '?', '!', '<p>', '``'];

/** A suggestion of an AdaptiveSession: a vocabulary token, or a new word the writer taught it. */
export interface AdaptivePrediction extends Prediction {
  /** True for a word outside the vocabulary (its id is the unknown token's). */
  readonly newWord: boolean;
}

/**
 * A session that learns its writer as it reads: a recency cache mixed into
 * every step's output (so predictNext, generate, evaluation and streams all
 * see the mixture), words outside the vocabulary offered as suggestions, and,
 * with a WeightAdaptation, dynamic evaluation of its own copy of the weights.
 * The shared Model is never changed: what one adaptive session learns, no
 * other session sees. Steps allocate nothing in steady state (a word never
 * seen before costs one table entry).
 */
export class AdaptiveSession {
  /** The shared model this session adapts to its writer. */
  readonly model: Model;
  /** The session that steps: over `model`, or over the dynamic adaptation's private copy. */
  readonly session: Session;
  readonly cache: ContinuousCache | null;
  readonly newWords: NewWordTable | null;
  readonly dynamic: WeightAdaptation | null;
  /** The unknown token's id, or −1 when the vocabulary has none. */
  readonly unknownId: number;
  /** Tokens read since creation or the last forget (a statistic, kept in profiles). */
  tokensRead = 0;
  private readonly tokenizer: Tokenizer | null;
  /** [H] live view of the top layer's h. */
  private readonly top: Float32Array;
  /** [H] the top layer's h before the token being read. */
  private readonly previousTop: Float32Array;
  /** [V] the head's logits (mixed) recomputed from a state set without a step (restore, a profile). */
  private readonly recomputed: Float32Array;
  /** The current prediction's logits: the last step's output view, or `recomputed`. */
  private logits: Float32Array;
  /** True while `logits` holds the prediction from the current state. */
  private logitsCurrent = false;
  /** True once the state is a text's (after a step or a restore): the next token gets a cache entry. */
  private hasState = false;
  /** The token read last: −1 at the start of a text, −2 after a restore (not known). */
  private previousToken = -1;
  /** Ids of the tokens after which a sentence starts (see SENTENCE_START_AFTER). */
  private readonly sentenceStartIds: Int32Array;
  /** [k + 1] ids of the last predictNext (one more than asked: the unknown token may take a place); regrown only when k changes. */
  private topIds = new Int32Array(0);
  /** The model's shared selection (WebAssembly SIMD where available): the log-normalizer the cache mixes with, and predictNext's top k. */
  private readonly predictor: NextTokenPredictor;
  /** [1] the model's log-normalizer for the cache's mixture, written by the predictor. */
  private readonly modelLogNormalizer = new Float64Array(1);

  /**
   * Prefer `adaptiveSession(model, options)`. Throws AdaptError
   * (NOT_A_LANGUAGE_MODEL) unless the model reads token ids and has a softmax
   * head over them; ADAPT_OPTION_INVALID for a bad option or a dynamic
   * adaptation made for another model.
   * Cost: a session, the cache (ContinuousCache's memory), 4·(V + H) bytes of scratch.
   */
  constructor(model: Model, options: AdaptationOptions = {}) {
    const a = model.architecture;
    if (a.input !== 'embedding' || a.head !== 'softmax' || a.outputSize !== a.vocabSize) {
      throw new AdaptError(ErrorCode.NOT_A_LANGUAGE_MODEL, `adaptation needs token input and a softmax head over the same vocabulary; this model has ${a.input} input and a ${a.head} head`);
    }
    const dynamic = options.dynamic ?? null;
    if (dynamic !== null && dynamic.baseModel !== model) {
      throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, 'the dynamic adaptation was made for another model; make it with dynamicEvaluation(this model, …)');
    }
    this.model = model;
    this.dynamic = dynamic;
    this.predictor = predictorOf(model);
    this.session = new Session(dynamic === null ? model : dynamic.model);
    // The top layer's h, the last of session.h (layers may differ in size).
    const H = topHiddenSize(a);
    this.top = this.session.h.subarray(hiddenOffsetOf(a, a.numLayers - 1));
    this.previousTop = new Float32Array(H);
    this.recomputed = new Float32Array(a.outputSize);
    this.logits = this.recomputed;
    this.cache = options.cache === false ? null : new ContinuousCache(resolveCacheOptions(options.cache ?? {}, modelAdaptationDefaults(model, 'cache', ['kind', 'size', 'theta', 'lambda'])), H, a.outputSize);
    this.tokenizer = tokenizerOf(model);
    const unknownToken = model.tokenizer?.unknownToken;
    this.unknownId = unknownToken !== undefined && model.vocabulary !== null ? model.vocabulary.indexOf(unknownToken) : -1;
    const maxWords = options.newWords === false ? 0 : (options.newWords?.maxWords ?? 10_000);
    if (!Number.isInteger(maxWords) || maxWords < 0) throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, `newWords.maxWords is ${maxWords}; expected an integer ≥ 0`);
    this.newWords = maxWords > 0 && this.unknownId >= 0 ? new NewWordTable(maxWords) : null;
    // New words need the unknown token, so a model that can have them has a tokenizer and its vocabulary's index.
    const vocabulary = this.tokenizer?.vocabulary;
    this.sentenceStartIds = Int32Array.from(vocabulary === undefined ? [] : SENTENCE_START_AFTER.filter((token) => vocabulary.has(token)).map((token) => vocabulary.idOf(token)));
  }

  /** Steps taken since creation or the last reset (the inner session's). */
  get position(): number {
    return this.session.position;
  }

  /** Live top-down state, as Session.h. */
  get h(): Float32Array {
    return this.session.h;
  }

  /** Live LSTM cell state, as Session.c. */
  get c(): Float32Array | null {
    return this.session.c;
  }

  /** log Σ exp of the last step's output: log p(w) = output[w] − logNormalizer. */
  get logNormalizer(): number {
    return this.cache !== null ? this.cache.logNormalizer : logSumExp(this.logits);
  }

  /**
   * Reads one token and returns the next-token logits of the adapted model
   * mixed with the cache (softmax of them is the mixture), as a borrowed view
   * the next step overwrites. `typed` is what the writer typed for it: when
   * the token is the unknown token, that string becomes a new word.
   * Order (what makes it causal): the cache entry and the dynamic adaptation's
   * segment take the token only now, after the prediction of it was handed
   * out. Throws InputError for a bad id, before anything changes.
   * Cost: the session's step, then for the cache the model's log-normalizer
   * (V exps, SIMD on the WebAssembly kernel), n·H multiply-adds and O(n) for
   * its n entries; dynamic evaluation's update every segment (see
   * dynamicEvaluation); no allocation.
   */
  step(token: number, typed?: string): Float32Array {
    checkToken(token, this.model.architecture.vocabSize, this.session.position);
    const hadState = this.hasState;
    if (this.cache !== null && hadState) this.previousTop.set(this.top);
    if (this.dynamic !== null) this.dynamic.observe(token, this.session);
    const output = this.session.step(token);
    const newWord = token === this.unknownId ? this.newWordIndexFor(token, typed) : -1;
    if (this.cache !== null) {
      if (hadState) this.cache.record(this.previousTop, token, newWord);
      this.predictor.logNormalizerInto(this.modelLogNormalizer, output);
      this.cache.mixInPlace(output, this.top, this.modelLogNormalizer);
      this.session.discardOutput(); // the output is the mixture now, not the plain session's logits
    }
    this.tokensRead++;
    this.hasState = true;
    this.previousToken = token;
    this.logits = output;
    this.logitsCurrent = true;
    return output;
  }

  /**
   * Reads a text, tokenized with the model's tokenizer, each out-of-vocabulary
   * word remembered as typed; returns the last step's output (null for a text
   * without tokens). Throws TextError when the model has no tokenizer. Allocates the tokens.
   */
  readText(text: string): Float32Array | null {
    const tokenizer = this.requireTokenizer();
    let output: Float32Array | null = null;
    for (const piece of tokenizer.split(text)) output = this.step(tokenizer.vocabulary.idOf(piece), piece);
    return output;
  }

  /**
   * The k most likely next words after what this session has read, most
   * likely first: vocabulary tokens other than the unknown token, and new
   * words, which share the unknown token's probability by their weight in the
   * cache (or by how often they were typed, for words outside the cache).
   * Cost: a top-k selection over V (the model's shared WebAssembly selection
   * where available) and a head pass when the state was set without a step,
   * e.g. after restore; allocates the k results.
   */
  predictNext(k: number): AdaptivePrediction[] {
    if (!Number.isInteger(k) || k <= 0) throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, `k is ${k}; expected a positive integer`);
    if (!this.logitsCurrent) this.recomputeLogits();
    const logits = this.logits;
    const V = logits.length;
    const unknown = this.unknownId;
    const candidates = V - (unknown >= 0 ? 1 : 0) + (this.newWords?.size ?? 0);
    const count = Math.min(k, candidates);
    if (this.topIds.length !== Math.min(count + 1, V)) this.topIds = new Int32Array(Math.min(count + 1, V));
    const ids = this.topIds;
    // The selection computes the logits' normalizer anyway; with a cache, its own (exact for the mixture) is kept.
    const selected = this.predictor.selectInto(ids, logits);
    const logNormalizer = this.cache !== null ? this.cache.logNormalizer : selected;
    const vocabulary = this.model.vocabulary;
    const results: AdaptivePrediction[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id !== unknown) results.push({ token: vocabulary === null ? null : vocabulary[id], id, probability: Math.exp(logits[id] - logNormalizer), newWord: false });
    }
    if (unknown >= 0) for (const candidate of this.newWordShares(Math.exp(logits[unknown] - logNormalizer))) results.push(candidate);
    results.sort((x, y) => y.probability - x.probability);
    return results.slice(0, count);
  }

  /**
   * Every new word with its probability as the next token (its share of the
   * unknown token's), unsorted; empty without new words. Allocates the results.
   */
  newWordPredictions(): AdaptivePrediction[] {
    if (this.unknownId < 0 || this.newWords === null || this.newWords.size === 0) return [];
    if (!this.logitsCurrent) this.recomputeLogits();
    return this.newWordShares(Math.exp(this.logits[this.unknownId] - this.logNormalizer));
  }

  /** Forgets the recurrent state only (a new text by the same writer): the cache, new words and weights stay. No allocation. */
  reset(): void {
    this.session.reset();
    this.hasState = false;
    this.previousToken = -1;
    this.logitsCurrent = false;
  }

  /**
   * Forgets everything this session learned: the state, the cache, the new
   * words and (dynamic evaluation) the weights, back to the shared model's.
   * Cost: one pass over the adapted weights; no allocation.
   */
  forget(): void {
    this.session.reset();
    this.cache?.clear();
    this.newWords?.clear();
    this.dynamic?.forget();
    this.tokensRead = 0;
    this.hasState = false;
    this.previousToken = -1;
    this.logitsCurrent = false;
  }

  /** A copy of the recurrent state (Session.snapshot's layout). Allocates. */
  snapshot(): Float32Array {
    return this.session.snapshot();
  }

  /** Sets the recurrent state from a snapshot (Session.restore's checks). The cache and weights are left as they are. */
  restore(snapshot: Float32Array): void {
    this.session.restore(snapshot);
    this.hasState = true;
    this.previousToken = -2;
    this.logitsCurrent = false;
  }

  /** Bytes this session holds beyond the shared model: state and scratch, the cache, the dynamic adaptation. */
  get byteLength(): number {
    return this.session.byteLength + 4 * this.recomputed.length + 4 * this.previousTop.length + (this.cache?.byteLength ?? 0) + (this.dynamic?.byteLength ?? 0);
  }

  /** The new-word index for a step on `token` typed as `typed` (counted once), or −1. */
  private newWordIndexFor(token: number, typed: string | undefined): number {
    if (token !== this.unknownId || typed === undefined || this.newWords === null || this.isCapitalizedWordOfVocabulary(typed)) return -1;
    const cache = this.cache;
    return this.newWords.observe(typed, (evicted) => {
      if (cache === null) return;
      const indices = cache.newWordIndices;
      for (let i = 0; i < indices.length; i++) if (indices[i] === evicted) indices[i] = -1;
    });
  }

  /**
   * True for a known word capitalized because it opens a sentence ("Yesterday"
   * at the start of a text or after ".", when only "yesterday" is in the
   * vocabulary): the model reads it as the unknown token, as its corpus did,
   * but it is not a word the writer taught. A capital inside a sentence (a
   * name such as "Rose" where only "rose" is known) is still a new word.
   * Cold path (an unknown token): a few string operations.
   */
  private isCapitalizedWordOfVocabulary(typed: string): boolean {
    if (this.previousToken === -2 || typed.length === 0) return false;
    if (this.previousToken !== -1 && !this.sentenceStartIds.includes(this.previousToken)) return false;
    const first = typed[0];
    const lower = first.toLowerCase();
    if (lower === first) return false;
    return this.tokenizer !== null && this.tokenizer.vocabulary.has(lower + typed.slice(1));
  }

  /** The new words with their probabilities: p(unknown) shared by cache weight, with a little by use count. */
  private newWordShares(unknownProbability: number): AdaptivePrediction[] {
    const table = this.newWords;
    if (table === null || table.size === 0 || unknownProbability === 0) return [];
    const shares = new Float64Array(table.size);
    let total = 0;
    const cache = this.cache;
    if (cache !== null && this.logitsCurrent) {
      for (let i = 0; i < cache.count; i++) {
        const word = cache.newWordIndices[i];
        if (word >= 0) shares[word] += cache.weights[i];
      }
    }
    let uses = 0;
    for (let j = 0; j < table.size; j++) uses += table.countOf(j);
    // A word outside the cache still gets a share: 1% of the unknown token's mass, by use count.
    for (let j = 0; j < table.size; j++) shares[j] += (0.01 * table.countOf(j)) / uses;
    for (let j = 0; j < table.size; j++) total += shares[j];
    const unknownId = this.unknownId;
    const results: AdaptivePrediction[] = [];
    for (let j = 0; j < table.size; j++) {
      if (shares[j] === 0) continue;
      results.push({ token: table.textOf(j), id: unknownId, probability: (unknownProbability * shares[j]) / total, newWord: true });
    }
    return results;
  }

  private recomputeLogits(): void {
    const head = this.session.model.head!;
    head.weight.multiplyInto(this.recomputed, this.top, 0, head.bias);
    if (this.cache !== null) {
      this.predictor.logNormalizerInto(this.modelLogNormalizer, this.recomputed);
      this.cache.mixInPlace(this.recomputed, this.top, this.modelLogNormalizer);
    }
    this.logits = this.recomputed;
    this.logitsCurrent = true;
  }

  private requireTokenizer(): Tokenizer {
    if (this.tokenizer === null) {
      throw new AdaptError(ErrorCode.NOT_A_LANGUAGE_MODEL, 'readText needs a model with a vocabulary and tokenizer settings; step token ids instead');
    }
    return this.tokenizer;
  }
}

/** An AdaptiveSession of `model` (see its constructor for errors and cost). */
export function adaptiveSession(model: Model, options: AdaptationOptions = {}): AdaptiveSession {
  return new AdaptiveSession(model, options);
}
