import { AdaptiveSession } from '../adapt/adaptive-session.ts';
import { decodeProfile, encodeProfile } from '../adapt/profile/profile-codec.ts';
import { applyProfile, profileOf } from '../adapt/session-profile.ts';
import type { Model } from '../model/model.ts';
import { LearningTextTracker } from '../text/learning-text-tracker.ts';
import type { TextTracker } from '../text/text-tracker.ts';
import type { ServeAdaptationOptions } from './serve-adaptation.ts';

/**
 * What one client session of an adapting server has learned of its writer,
 * and the text field it is typing in: two AdaptiveSessions of the shared
 * model, made for this client alone, never shared.
 *
 * - The learner is the writer's profile: it is taught each finished word of
 *   the text once, in order (LearningTextTracker): a sentence once the text
 *   has moved past its end (`.`, `!`, `?` then more text), the rest of the
 *   text when the client says it is finished (`"finish": true`) or saves the
 *   profile. Edits inside the sentence being written are never taught, so a
 *   typo fixed before the sentence ends is not learned; an edit of text
 *   already taught is not taught again (learning is not undone), and
 *   replaying the text after an edit (the tracker restores and steps again)
 *   never reaches the learner. GET/PUT/DELETE profile read, replace and
 *   forget the learner.
 * - The editor is the tracker's working copy: it steps the text as it is
 *   edited, so its cache mixture and new words make the live suggestions
 *   (a name typed a moment ago is suggested before its sentence ends), but
 *   it reads replayed tokens again and is never saved. It starts with what
 *   the learner knew (empty, or a profile just put) and is forgotten with it.
 *
 * Memory: two sessions with their caches (2 × (Session.byteLength + cache
 * + 4·(V + H))), the new words, and the tracker's kept states; see
 * `byteLength`. Cost per update: the tracker's steps on the editor, plus one
 * learner step per taught token (each token of the text once).
 */
export class ClientAdaptation {
  readonly learner: AdaptiveSession;
  readonly editor: AdaptiveSession;
  readonly learning: LearningTextTracker;

  /**
   * Throws AdaptError (ADAPT_OPTION_INVALID, NOT_A_LANGUAGE_MODEL) or
   * TextError (NOT_A_LANGUAGE_MODEL, TRACKER_OPTION_INVALID) for options
   * this model cannot take (the server checks them once, at its creation).
   */
  constructor(model: Model, options: ServeAdaptationOptions, maxBoundaries: number) {
    const sessionOptions = { cache: options.cache, newWords: options.newWords };
    this.learner = new AdaptiveSession(model, sessionOptions);
    this.editor = new AdaptiveSession(model, sessionOptions);
    this.learning = new LearningTextTracker(this.editor, this.learner, { maxBoundaries, sentenceEnds: options.sentenceEnds });
  }

  /** The tracker over the editor: its suggestions are the session's. */
  get tracker(): TextTracker {
    return this.learning.tracker;
  }

  /** Tokens taught to the learner since the session was made. */
  get tokensTaught(): number {
    return this.learning.tokensTaught;
  }

  /** Bytes this client's adaptation holds beyond the shared model (both sessions and their caches; not the tracker's kept states). */
  get byteLength(): number {
    return this.learner.byteLength + this.editor.byteLength;
  }

  /** Brings the field to `text` and teaches the sentences finished since (LearningTextTracker.update). Returns the editor's steps. */
  update(text: string): number {
    return this.learning.update(text);
  }

  /**
   * The text is done (sent, submitted): teaches what of it was not taught,
   * its last word included even without whitespace after it, and makes the
   * next text a new one. Returns the tokens taught. Cost: one editor step
   * when the text ends in a word, one learner step per token taught.
   */
  finish(text: string): number {
    if (text !== '' && !/\s$/.test(text)) this.learning.update(`${text} `);
    return this.learning.finishText();
  }

  /**
   * The learner's profile as a profile file (encodeProfile), after teaching
   * every finished word of the field not taught yet (the word being typed is
   * not finished): what a keyboard keeps on its device. The recurrent state
   * is not included. Cold path: copies the cache (4·W·(H + 2) bytes), encodes.
   */
  saveProfile(): Uint8Array {
    this.learning.teachFinished();
    return encodeProfile(profileOf(this.learner));
  }

  /**
   * Replaces what this session learned with a profile file's learning
   * (decodeProfile, applyProfile) in both sessions and starts a new text:
   * the next update is read from its start and its finished sentences are
   * taught. Throws ProfileError (a damaged file, over `maxBytes`, or
   * PROFILE_MODEL_MISMATCH) or AdaptError (ADAPT_OPTION_INVALID: weight
   * deltas, which these sessions have no dynamic evaluation to take); on a
   * throw nothing has changed. Cold path: one decode and two copies of the profile.
   */
  loadProfile(bytes: Uint8Array, maxBytes: number): void {
    // The state of a text is not the writer's: the field starts afresh.
    const profile = { ...decodeProfile(bytes, { maxBytes }), state: null };
    // applyProfile checks the profile before it changes anything, so a refusal here leaves the session as it was.
    applyProfile(this.learner, profile);
    applyProfile(this.editor, profile);
    this.learning.reset();
  }

  /** Forgets what both sessions learned and the text; the next update is a new text. No allocation. */
  forget(): void {
    this.learning.forget();
  }
}
