import type { AdaptiveSession } from '../adapt/adaptive-session.ts';
import type { Model } from '../model/model.ts';
import { LearningTextTracker } from '../text/learning-text-tracker.ts';
import { TextTracker } from '../text/text-tracker.ts';
import { editingCopyOf } from './editing-copy.ts';

/** One suggested next word and its probability. */
export interface Suggestion {
  /** The vocabulary's token, e.g. Brown's `` for an opening quote; a new word as the writer typed it. */
  readonly token: string;
  /** The token as a person writes it (the tokenizer's decoding: `` and '' become "). */
  readonly text: string;
  readonly probability: number;
}

/** A suggestion as the CLI shows it: `was (22.0%)`. */
export function formatSuggestion(suggestion: Suggestion): string {
  return `${suggestion.text} (${(suggestion.probability * 100).toFixed(1)}%)`;
}

/**
 * Next-word suggestions for text as a person types it, over a TextTracker:
 * each call hands over the whole text, and only what changed is stepped
 * (an edit restores the state at the first changed word); the word being
 * typed filters the suggestions by prefix.
 *
 * With an AdaptiveSession (the writer's profile) the suggestions are its
 * mixture (cache, dynamic evaluation) and include the new words it learned,
 * and it learns each finished word once (LearningTextTracker): the tracker
 * steps a working copy of it (editingCopyOf), and the session itself is
 * taught a sentence once the text has moved past its end, and the rest of a
 * text when the text is finished (finishText: Enter, a piped line, quitting),
 * so an edit never makes it read a word again.
 *
 * Throws TextError (NOT_A_LANGUAGE_MODEL) unless the model reads token ids
 * and has a softmax head over its vocabulary and tokenizer settings.
 * Cost per call: one step per changed token (and, adapting, one learner step
 * per taught token), plus a pass over the candidates for the typed prefix.
 */
export class Suggester {
  private readonly tracker: TextTracker | LearningTextTracker;
  private readonly learning: LearningTextTracker | null;

  constructor(model: Model, adaptive: AdaptiveSession | null = null) {
    this.learning = adaptive === null ? null : new LearningTextTracker(editingCopyOf(adaptive), adaptive);
    this.tracker = this.learning ?? new TextTracker(model.session());
  }

  /** The k most likely next words after `text` (filtered by the unfinished last word, if any). Throws TextError for a k that is not a positive integer. */
  suggest(text: string, k: number): Suggestion[] {
    return this.tracker.suggestFor(text, k).map(({ token, text: shown, probability }) => ({ token, text: shown, probability }));
  }

  /**
   * The writer is done with `text` (Enter, the end of a piped line,
   * quitting): an adaptive session is taught what it was not yet taught of
   * it, the last word included, and the next text starts afresh. No-op
   * without one. Returns the tokens taught.
   */
  finishText(text: string): number {
    if (this.learning === null) return 0;
    this.learning.update(text === '' || /\s$/.test(text) ? text : `${text} `);
    return this.learning.finishText();
  }
}
