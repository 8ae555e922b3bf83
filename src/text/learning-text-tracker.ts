import { ErrorCode } from '../errors.ts';
import { TextError } from './errors.ts';
import { TextTracker, type TextSuggestion, type TextTrackerOptions, type TrackableSession, type TrackedModelLike } from './text-tracker.ts';

// text/ may not import adapt/ (the arrows point down): the learner is
// described by the members this class uses, which an AdaptiveSession has.

/** What a {@link LearningTextTracker} teaches: an AdaptiveSession, or anything with these members. */
export interface LearnerSession {
  /** The model it reads; the same object as the editing session's model. */
  readonly model: TrackedModelLike;
  /** Reads (and learns from) one token; `typed` is the text it came from (new words). */
  step(token: number, typed?: string): unknown;
  /** Sets the recurrent state from a snapshot (what it learned stays). */
  restore(snapshot: Float32Array): void;
  /** Back to the state before a text (what it learned stays). */
  reset(): void;
  /** Forgets what it learned (optional: {@link LearningTextTracker.forget} calls it). */
  forget?(): void;
}

/** The editing session of a {@link LearningTextTracker}: what a TextTracker steps, with an optional forget. */
export type EditingSession = TrackableSession & { forget?(): void };

/** Options of {@link LearningTextTracker}: the tracker's, and what ends a sentence. */
export interface LearningTextTrackerOptions extends TextTrackerOptions {
  /**
   * Tokens after which a sentence is finished and taught (those in the
   * vocabulary count; default `.`, `!`, `?`). Empty: only teachFinished and
   * finishText teach.
   */
  readonly sentenceEnds?: readonly string[];
}

/** The default of {@link LearningTextTrackerOptions.sentenceEnds}. */
export const DEFAULT_SENTENCE_ENDS: readonly string[] = Object.freeze(['.', '!', '?']);

/**
 * Live suggestions for an edited text (a TextTracker) that also teach a
 * learner what the writer wrote, each finished word once. Two sessions of
 * one model: the tracker steps the editing session, a working copy that
 * keeps the live suggestions adapted (an AdaptiveSession holding what the
 * learner knew when it was made, which also reads the text as it is typed,
 * edits and all); the learner (the session whose profile is kept) is taught
 * only what the text has moved past, in order:
 *
 * - A sentence is taught once it is finished: its end token (`.`, `!`, `?`)
 *   is followed by whitespace or more text. `teachFinished()` teaches every
 *   finished word now (e.g. before the page is hidden); `finishText()` also
 *   ends the text (Enter, a piped line), so the next update is a new text,
 *   taught from its start even where it begins like the last one.
 * - Edits inside the sentence being written cost the learner nothing: it has
 *   not read those words yet, so a typo fixed before the sentence ends is
 *   never learned.
 * - The learner reads forward only. An edit inside text it was already
 *   taught is not taught (what it learned stays learned; learning is not
 *   undone); taught text that is deleted from the end moves the taught
 *   boundary back to the edit, so what is written there instead is taught.
 * - The learner joins the text at the taught boundary from the tracker's
 *   kept state there (stateAt), so what it learns has the context of the
 *   text as it stands; a boundary older than the kept ones (more than
 *   maxBoundaries tokens back) continues from the learner's own state.
 *
 * The editing copy is made by the caller (it has to know the adaptation's
 * kind): for an AdaptiveSession, one with the same options, the learner's
 * profile applied, and, with dynamic evaluation, stepping the learner's
 * adapted weights without adapting them (see the CLI's editingCopyOf).
 *
 * Cost per update: the tracker's (see TextTracker); when the finished tokens
 * changed, a compare of them with the previous ones from both ends and a
 * copy of the changed part, and a scan of the untaught tail for a sentence
 * end; a learner step per taught token (once each), plus one restore where
 * the learner joins the text again. Memory: the previous token ids.
 */
export class LearningTextTracker {
  /** The tracker over the editing session (it owns that session). */
  readonly tracker: TextTracker;
  /** The session that is taught each finished word once. */
  readonly learner: LearnerSession;
  /** Tokens taught to the learner since creation (start tokens not counted). */
  tokensTaught = 0;
  /** [V] 1 for a token that ends a sentence. */
  private readonly endsSentence: Uint8Array;
  /** The tracker's finished token ids at the last update, to find what an edit changed. */
  private readonly previous: number[] = [];
  /** Finished tokens of the current text that count as taught. */
  private frontier = 0;
  /** The boundary of the current text that the learner's state is at; −1 when not known. */
  private learnerAt = -1;
  /** True when the next update begins a new text (at creation, after finishText and reset). */
  private startsNewText = true;

  /**
   * Throws TextError: NOT_A_LANGUAGE_MODEL as TextTracker does;
   * TRACKER_OPTION_INVALID when the editing session and the learner are the
   * same object (each step would teach it) or read different models, or a
   * sentence end is not a string. Cold path.
   */
  constructor(editor: EditingSession, learner: LearnerSession, options: LearningTextTrackerOptions = {}) {
    if ((editor as unknown) === learner) {
      throw new TextError(ErrorCode.TRACKER_OPTION_INVALID, 'the editing session and the learner are the same session; give the tracker a working copy to edit on');
    }
    if (learner === null || typeof learner !== 'object' || learner.model !== editor.model) {
      throw new TextError(ErrorCode.TRACKER_OPTION_INVALID, 'the learner must be a session of the same model object as the editing session');
    }
    this.tracker = new TextTracker(editor, options);
    this.learner = learner;
    const vocabulary = editor.model.vocabulary!;
    this.endsSentence = new Uint8Array(vocabulary.length);
    for (const end of options.sentenceEnds ?? DEFAULT_SENTENCE_ENDS) {
      if (typeof end !== 'string') throw new TextError(ErrorCode.TRACKER_OPTION_INVALID, `sentence end ${JSON.stringify(end)} is not a string`);
      const id = vocabulary.indexOf(end);
      if (id >= 0) this.endsSentence[id] = 1;
    }
  }

  /** Finished tokens of the current text the learner has been taught, or counts as taught (text it was taught, edited since). */
  get taughtBoundary(): number {
    return this.frontier;
  }

  /**
   * Brings the editing session to the end of `text` (TextTracker.update),
   * then teaches the learner the sentences finished since it was last
   * taught. Returns the editing session's steps. Throws as TextTracker.update.
   */
  update(text: string): number {
    const steps = this.tracker.update(text);
    this.followEdit(steps);
    this.teachThrough(this.lastSentenceEnd());
    return steps;
  }

  /** The tracker's suggestions after the last update (see TextTracker.suggest). */
  suggest(k: number): TextSuggestion[] {
    return this.tracker.suggest(k);
  }

  /** `update(text)`, then `suggest(k)`. */
  suggestFor(text: string, k: number): TextSuggestion[] {
    this.update(text);
    return this.suggest(k);
  }

  /** Teaches every finished token not taught yet, finished sentence or not; the text goes on. Returns how many. */
  teachFinished(): number {
    return this.teachThrough(this.tracker.tokenCount);
  }

  /**
   * The text is done (Enter, the end of a piped line, quitting): teaches its
   * finished tokens not taught yet, and makes the next update a new text.
   * A word still being typed is not finished; hand the text over with a
   * trailing space first when it should count. Returns the tokens taught.
   */
  finishText(): number {
    const taught = this.teachFinished();
    this.startsNewText = true;
    return taught;
  }

  /** Forgets the text (as TextTracker.reset); what the learner was taught stays. The next update is a new text. */
  reset(): void {
    this.tracker.reset();
    this.previous.length = 0;
    this.frontier = 0;
    this.learnerAt = -1;
    this.startsNewText = true;
  }

  /** Forgets what both sessions learned (their forget, when they have one) and the text. */
  forget(): void {
    this.learner.forget?.();
    (this.tracker.session as EditingSession).forget?.();
    this.reset();
  }

  /**
   * Moves the taught boundary through the edit that turned the previous
   * finished tokens into the current ones: the common prefix p and suffix s
   * bound the changed span. Taught tokens kept after the span shift the
   * boundary by the change in length (the span counts as taught: it is an
   * edit of taught text); otherwise the boundary falls back to p.
   */
  private followEdit(steps: number): void {
    const ids = this.tracker.tokenIds;
    const old = this.previous;
    const n = ids.length;
    const m = old.length;
    if (this.startsNewText) {
      this.startsNewText = false;
      this.frontier = 0;
      this.learnerAt = -1;
      old.length = 0;
      for (let j = 0; j < n; j++) old.push(ids[j]);
      return;
    }
    // Without a step the finished tokens can only have changed by all going (an empty text without a start token).
    if (steps === 0 && n === m) return;
    let p = 0;
    while (p < m && p < n && old[p] === ids[p]) p++;
    if (p === m && p === n) return;
    let s = 0;
    while (s < m - p && s < n - p && old[m - 1 - s] === ids[n - 1 - s]) s++;
    if (this.frontier > p) this.frontier = this.frontier > m - s ? this.frontier + (n - m) : p;
    if (this.learnerAt > p) this.learnerAt = -1;
    old.length = p;
    for (let j = p; j < n; j++) old.push(ids[j]);
  }

  /** The boundary just after the last sentence end among the untaught finished tokens, or the taught boundary. */
  private lastSentenceEnd(): number {
    const ids = this.tracker.tokenIds;
    for (let j = ids.length - 1; j >= this.frontier; j--) if (this.endsSentence[ids[j]] === 1) return j + 1;
    return this.frontier;
  }

  /** Teaches the finished tokens [frontier, end) in order. Returns how many. */
  private teachThrough(end: number): number {
    const from = this.frontier;
    if (end <= from) return 0;
    if (this.learnerAt !== from) this.placeLearner(from);
    const ids = this.tracker.tokenIds;
    const pieces = this.tracker.pieces;
    for (let j = from; j < end; j++) this.learner.step(ids[j], pieces[j]);
    this.tokensTaught += end - from;
    this.frontier = end;
    this.learnerAt = end;
    return end - from;
  }

  /** Puts the learner's state at `boundary` of the current text: a text's start is read (the start token), a later boundary restored from the tracker. */
  private placeLearner(boundary: number): void {
    if (boundary === 0) {
      this.learner.reset();
      const start = this.tracker.startTokenId;
      if (start >= 0) this.learner.step(start);
      return;
    }
    const state = this.tracker.stateAt(boundary);
    // Not kept (far behind the text's end): the learner goes on from its own state, a context close to the text's.
    if (state !== null) this.learner.restore(state);
  }
}
