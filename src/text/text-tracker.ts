import { ErrorCode } from '../errors.ts';
import { logSumExp } from '../math/softmax.ts';
import { topKInto } from '../math/top-k.ts';
import { tokenizerOf, type TextModelLike } from './create-tokenizer.ts';
import { TextError } from './errors.ts';
import { IncrementalTokens } from './incremental-tokens.ts';
import { prefixIndexOf, type PrefixIndex } from './prefix-index.ts';
import type { Tokenizer } from './tokenizer.ts';

// text/ may not import model/ or adapt/ (the arrows point down), so the
// session is described by the few members the tracker uses. Session and
// AdaptiveSession both fit.

/** The parts of a Model the tracker reads. */
export interface TrackedModelLike extends TextModelLike {
  readonly architecture: { readonly input: string; readonly head: string; readonly outputSize: number };
}

/**
 * What a {@link TextTracker} steps: a Session, an AdaptiveSession, or
 * anything else with these members. The tracker owns it: stepping or
 * restoring it elsewhere leaves the tracker's idea of its state wrong.
 */
export interface TrackableSession {
  readonly model: TrackedModelLike;
  /**
   * Reads one token and returns the next-token logits as a view that stays
   * valid until the session's next step. `typed` is the text the token came
   * from (an AdaptiveSession learns out-of-vocabulary words from it).
   */
  step(token: number, typed?: string): Float32Array;
  /** A copy of the recurrent state. */
  snapshot(): Float32Array;
  /** Sets the recurrent state from a snapshot. */
  restore(snapshot: Float32Array): void;
  /** Back to the state at creation. */
  reset(): void;
  /** Writes the state into `out` (optional: lets the tracker reuse its buffers). */
  snapshotInto?(out: Float32Array): Float32Array;
  /**
   * Words outside the vocabulary that the session learned, with their
   * probabilities as the next token (optional: an AdaptiveSession has it);
   * the tracker offers those that start with the word being typed.
   */
  newWordPredictions?(): readonly { readonly token: string | null; readonly probability: number }[];
}

/** Options of {@link TextTracker}. */
export interface TextTrackerOptions {
  /**
   * How many token boundaries' states to keep, the most recent ones (default
   * 512). An edit before the oldest kept boundary replays the text from its
   * start. Memory: up to this many snapshots (4 bytes × stateSize each).
   */
  readonly maxBoundaries?: number;
  /**
   * The token stepped before the text, putting the model where a new text
   * begins; default `<p>` when the vocabulary has it (Brown's paragraph mark),
   * otherwise none. null: none. Without one, the empty text has no prediction
   * and its suggestions rank the vocabulary by id, all equally likely.
   */
  readonly startToken?: string | null;
}

/** One suggested next word (or completion of the word being typed). */
export interface TextSuggestion {
  /** The vocabulary's token, e.g. Brown's `` for an opening quote. */
  readonly token: string;
  readonly id: number;
  /** The token as a person writes it (the tokenizer's decoding: `` becomes "). */
  readonly text: string;
  /** The model's probability of the token as the next one (not renormalized over the prefix's candidates). */
  readonly probability: number;
}

/** The default of {@link TextTrackerOptions.maxBoundaries}. */
export const DEFAULT_MAX_BOUNDARIES = 512;

/**
 * Next-word suggestions for a text field that is edited anywhere, given its
 * whole current text each time (as a browser field or a keyboard sends it),
 * stepping only what changed. It keeps the session's state at each token
 * boundary it has passed (the last `maxBoundaries`), finds the longest common
 * token prefix with the previous text, restores there and steps the rest.
 * With a word tokenizer, a text that does not end in whitespace ends in a
 * word being typed: that word is not stepped but filters the suggestions as
 * a prefix. A character tokenizer steps every character.
 *
 * The suggestions equal those of a fresh session fed the whole text (start
 * token, then the finished tokens). Over an AdaptiveSession they include what
 * its cache learned, and a replayed token is read again: the cache sees
 * edits as a writer's rewrites (LearningTextTracker keeps a session that
 * learns each finished word once).
 *
 * Cost per update: one step per changed token, plus one when tokens were
 * only removed; none when only the word being typed changed. With a word
 * tokenizer only the words from the first changed character on are split
 * again (IncrementalTokens); finding that character is a native compare of
 * the old and new text. Per suggest: two binary searches and a pass over
 * the tokens starting with the typed prefix (the whole vocabulary when
 * nothing is being typed). Memory: the kept snapshots, the tokens.
 */
export class TextTracker {
  /** The session this tracker steps (and owns). */
  readonly session: TrackableSession;
  readonly maxBoundaries: number;
  /** Steps taken since creation: a machine-independent measure of the work done. */
  stepsTaken = 0;
  private readonly tokenizer: Tokenizer;
  /** Built on the first completion of a typed prefix (a sort of the vocabulary), shared per vocabulary. */
  private index: PrefixIndex | null = null;
  /** The best k + 2 ids when no prefix is typed (the two excluded tokens may be among them); grown on demand. */
  private topIds = new Int32Array(0);
  private readonly vocabulary: readonly string[];
  /** Whether a text's unfinished last token is a word being typed (word tokenizers) or is stepped (characters). */
  private readonly completesWords: boolean;
  private readonly startId: number; // −1: no start token
  private readonly unknownId: number; // −1: none
  private readonly paragraphId: number; // −1: none
  /** The state after the start token (null: the session's reset state is the start). */
  private startState: Float32Array | null = null;
  /** [maxBoundaries] ring: states[b % maxBoundaries] is the state after b tokens, for b in [oldestKept, tokens.length]. */
  private states: Float32Array[] = [];
  private oldestKept = 1;
  /** The finished tokens' ids the session has read, in order. */
  private readonly tokens: number[] = [];
  /** The current text's tokens, re-split from where it changed. */
  private readonly split: IncrementalTokens;
  private typedPrefix = '';
  private lastText: string | null = null;
  /** Borrowed: the session's last step output, the logits after `tokens`; null before the first token without a start token. */
  private logits: Float32Array | null = null;
  private logNormalizer = 0;
  /** False until the first update and after reset: the session's state is not the one `tokens` describe. */
  private current = false;

  /**
   * Throws TextError: NOT_A_LANGUAGE_MODEL unless the session's model reads
   * token ids, has a softmax head over its vocabulary and tokenizer settings;
   * TRACKER_OPTION_INVALID for a bad option. Cold path: the model's prefix
   * index on first use (a sort of the vocabulary, shared afterwards).
   */
  constructor(session: TrackableSession, options: TextTrackerOptions = {}) {
    const model = session.model;
    const a = model.architecture;
    const tokenizer = tokenizerOf(model);
    const vocabulary = model.vocabulary;
    if (tokenizer === null || vocabulary === null || a.input !== 'embedding' || a.head !== 'softmax' || a.outputSize !== vocabulary.length) {
      throw new TextError(ErrorCode.NOT_A_LANGUAGE_MODEL, 'a text tracker needs a language model: token input, a softmax head over its vocabulary, and tokenizer settings');
    }
    const maxBoundaries = options.maxBoundaries ?? DEFAULT_MAX_BOUNDARIES;
    if (!Number.isInteger(maxBoundaries) || maxBoundaries < 1) {
      throw new TextError(ErrorCode.TRACKER_OPTION_INVALID, `maxBoundaries is ${maxBoundaries}; expected an integer ≥ 1`);
    }
    const v = tokenizer.vocabulary;
    const startToken = options.startToken === undefined ? (v.has('<p>') ? '<p>' : null) : options.startToken;
    if (startToken !== null && (typeof startToken !== 'string' || !v.has(startToken))) {
      throw new TextError(ErrorCode.TRACKER_OPTION_INVALID, `startToken ${JSON.stringify(startToken)} is not in the vocabulary`);
    }
    this.session = session;
    this.maxBoundaries = maxBoundaries;
    this.tokenizer = tokenizer;
    this.vocabulary = vocabulary;
    this.split = new IncrementalTokens(tokenizer);
    this.completesWords = tokenizer.kind === 'word';
    this.startId = startToken === null ? -1 : v.idOf(startToken);
    this.unknownId = v.unknownId;
    this.paragraphId = v.has('<p>') ? v.idOf('<p>') : -1;
  }

  /** Finished tokens the session has read (after the start token). */
  get tokenCount(): number {
    return this.tokens.length;
  }

  /** The word being typed, which filters the suggestions ('' when the text ends in whitespace). */
  get prefix(): string {
    return this.typedPrefix;
  }

  /** Token boundaries whose state is kept now (at most maxBoundaries). */
  get keptBoundaries(): number {
    return Math.max(0, this.tokens.length - this.oldestKept + 1);
  }

  /** The finished tokens' ids the session has read, in order (borrowed: the next update or reset changes it). */
  get tokenIds(): readonly number[] {
    return this.tokens;
  }

  /**
   * The current text's token strings as the writer typed them (borrowed: the
   * next update changes it): the first tokenCount are the finished tokens,
   * then the word being typed, if any.
   */
  get pieces(): readonly string[] {
    return this.split.pieces;
  }

  /** The id of the token stepped before the text, or −1 when there is none. */
  get startTokenId(): number {
    return this.startId;
  }

  /**
   * The session's state after the first `boundary` finished tokens of the
   * last update's text (boundary 0: after the start token), or null when that
   * state is not kept (older than the kept boundaries, past the text, no
   * start token for boundary 0, or no update since a reset). A borrowed
   * snapshot that a later update may overwrite: restore from it or copy it
   * at once. Lets another session of the same model join the text at a
   * boundary without stepping it (LearningTextTracker's learner). No allocation.
   */
  stateAt(boundary: number): Float32Array | null {
    if (!this.current || !Number.isInteger(boundary) || boundary < 0 || boundary > this.tokens.length) return null;
    if (boundary === 0) return this.startState;
    return boundary >= this.oldestKept ? this.states[boundary % this.maxBoundaries] : null;
  }

  /**
   * Brings the session to the end of `text`, the field's whole current text:
   * restores the last kept boundary at or before the first changed token and
   * steps from there. Returns the steps this update took. Throws TextError
   * (TEXT_INVALID) when text is not a string. Cost: see the class.
   */
  update(text: string): number {
    if (typeof text !== 'string') throw new TextError(ErrorCode.TEXT_INVALID, `the text is ${text === null ? 'null' : typeof text}, expected a string`);
    if (this.current && text === this.lastText) return 0;
    const unchanged = this.split.update(text);
    const { pieces, ids } = this.split;
    // The last character alone (a regex anchored at the end would scan the whole text).
    const typing = this.completesWords && pieces.length > 0 && !/\s/.test(text[text.length - 1]);
    const finished = typing ? pieces.length - 1 : pieces.length;
    const before = this.stepsTaken;
    this.typedPrefix = typing ? pieces[finished] : '';
    this.lastText = text;
    this.advanceTo(ids, pieces, finished, this.current ? unchanged : 0);
    return this.stepsTaken - before;
  }

  /**
   * The k most likely next tokens after the text of the last update,
   * restricted to those starting with the word being typed; never the
   * unknown token or `<p>`. Most likely first, ties by lower id. Throws
   * TextError (SAMPLING_OPTION_INVALID) when k is not a positive integer.
   * Cost: with no word being typed, one top-k pass over the logits
   * (O(V log k)); with a typed prefix, O(candidates · k) compares over the
   * tokens with that prefix only (the prefix index, sorted once per
   * vocabulary on first use); k decodings.
   */
  suggest(k: number): TextSuggestion[] {
    if (!Number.isInteger(k) || k <= 0) throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, `k is ${k}; expected a positive integer`);
    if (!this.current) this.update('');
    const logits = this.logits;
    const best = this.typedPrefix === '' && logits !== null ? this.bestOverall(logits, k) : this.bestWithPrefix(logits, k);
    const uniform = 1 / this.vocabulary.length;
    const suggestions: TextSuggestion[] = best.map((id) => ({
      token: this.vocabulary[id],
      id,
      text: this.tokenizer.decode([id]),
      probability: logits === null ? uniform : Math.exp(logits[id] - this.logNormalizer),
    }));
    if (this.session.newWordPredictions === undefined || logits === null) return suggestions;
    // New words stand in for the unknown token: its id, the word as the writer typed it.
    for (const word of this.session.newWordPredictions()) {
      if (word.token === null || !word.token.startsWith(this.typedPrefix) || word.token === this.typedPrefix) continue;
      suggestions.push({ token: word.token, id: this.unknownId, text: word.token, probability: word.probability });
    }
    return suggestions.sort((x, y) => y.probability - x.probability).slice(0, k);
  }

  /** The k best ids over the whole vocabulary but the unknown token and `<p>`: one top-k pass over the logits. */
  private bestOverall(logits: Float32Array, k: number): number[] {
    const wanted = Math.min(k + 2, logits.length);
    if (this.topIds.length < wanted) this.topIds = new Int32Array(wanted);
    const found = topKInto(this.topIds.subarray(0, wanted), null, logits, this.vocabulary.length);
    const best: number[] = [];
    for (let i = 0; i < found && best.length < k; i++) {
      const id = this.topIds[i];
      if (id !== this.unknownId && id !== this.paragraphId) best.push(id);
    }
    return best;
  }

  /**
   * The k best ids among the tokens that start with the typed prefix (all of
   * them before the first step), through the prefix index: only the
   * candidates are looked at, never the whole vocabulary.
   */
  private bestWithPrefix(logits: Float32Array | null, k: number): number[] {
    this.index ??= prefixIndexOf(this.vocabulary);
    const { start, end } = this.index.rangeOf(this.typedPrefix);
    const sortedIds = this.index.sortedIds;
    // The best k so far, best first: k is small, so an insertion into a short list.
    const best: number[] = [];
    for (let i = start; i < end; i++) {
      const id = sortedIds[i];
      if (id === this.unknownId || id === this.paragraphId) continue;
      let at = best.length;
      while (at > 0 && ranksAbove(logits, id, best[at - 1])) at--;
      if (at >= k) continue;
      best.splice(at, 0, id);
      if (best.length > k) best.pop();
    }
    return best;
  }

  /** `update(text)`, then `suggest(k)`. */
  suggestFor(text: string, k: number): TextSuggestion[] {
    this.update(text);
    return this.suggest(k);
  }

  /** Forgets the text and the kept states (their memory too); the next update starts from the start token. No step. */
  reset(): void {
    this.session.reset();
    this.split.reset();
    this.tokens.length = 0;
    this.states = [];
    this.oldestKept = 1;
    this.typedPrefix = '';
    this.lastText = null;
    this.logits = null;
    this.current = false;
  }

  /**
   * Steps the session from the tokens it has read to ids[0 … n) (see
   * update); the first `unchanged` are known to be the same as before.
   */
  private advanceTo(ids: readonly number[], pieces: readonly string[], n: number, unchanged: number): void {
    const old = this.tokens;
    const shared = this.current ? Math.min(n, old.length) : 0;
    let common = Math.min(unchanged, shared);
    while (common < shared && old[common] === ids[common]) common++;
    if (this.current && common === n && n === old.length) return;
    // Restart where at least one token is left to step: its step hands back
    // the logits after the last token (a state alone does not have them).
    const target = Math.min(common, n - 1);
    const resume = this.current && target >= this.oldestKept;
    // Not current while stepping: a step that throws leaves the next update to start over.
    this.current = false;
    let from = 0;
    if (n === 0) {
      this.restoreStart(true);
    } else if (resume) {
      from = target;
      // Text only added after what was read: the session is already there.
      if (target !== old.length) this.session.restore(this.states[target % this.maxBoundaries]);
    } else {
      this.restoreStart(false);
    }
    for (let j = from; j < n; j++) {
      this.logits = this.session.step(ids[j], pieces[j]);
      this.stepsTaken++;
      this.keep(j + 1);
    }
    if (n > 0) this.logNormalizer = logSumExp(this.logits!);
    old.length = common;
    for (let j = common; j < n; j++) old.push(ids[j]);
    this.current = true;
  }

  /** Puts the session at the start of a text; with `needLogits`, also the logits there (one step of the start token). */
  private restoreStart(needLogits: boolean): void {
    this.oldestKept = 1;
    if (this.startId < 0) {
      this.session.reset();
      this.logits = null;
      return;
    }
    if (this.startState === null || needLogits) {
      this.session.reset();
      this.logits = this.session.step(this.startId);
      this.stepsTaken++;
      this.logNormalizer = logSumExp(this.logits);
      this.startState ??= this.session.snapshot();
    } else {
      this.session.restore(this.startState);
    }
  }

  /** Keeps the state after `boundary` tokens, dropping the oldest kept one when the ring is full. */
  private keep(boundary: number): void {
    if (boundary - this.oldestKept + 1 > this.maxBoundaries) this.oldestKept = boundary - this.maxBoundaries + 1;
    const slot = boundary % this.maxBoundaries;
    const existing = this.states[slot];
    if (existing !== undefined && this.session.snapshotInto !== undefined) this.session.snapshotInto(existing);
    else this.states[slot] = this.session.snapshot();
  }
}

/** True when token a ranks above token b: a larger logit, or an equal one and a lower id (all equal without logits). */
function ranksAbove(logits: Float32Array | null, a: number, b: number): boolean {
  if (logits === null) return a < b;
  return logits[a] > logits[b] || (logits[a] === logits[b] && a < b);
}
