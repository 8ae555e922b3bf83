import type { Model } from '../model/model.ts';
import type { Session } from '../model/session.ts';
import type { ProfileDelta } from './profile/profile-contents.ts';

/**
 * What an AdaptiveSession needs from an adaptation of the weights (dynamic
 * evaluation, made by `dynamicEvaluation` in `lstm-stream/adapt`, which
 * carries the gradients; the inference entry only knows this shape).
 */
export interface WeightAdaptation {
  /** The weights the session steps: a private copy that this adaptation changes; no other session sees it. */
  readonly model: Model;
  /** The model it was made from (shared, never changed). */
  readonly baseModel: Model;
  /**
   * Called with each token just before `session` reads it, after the
   * previous output (the prediction of this token) was handed out. Once a
   * segment of tokens is complete it takes a gradient step on that segment,
   * so what it learns from a token only affects predictions after it.
   */
  observe(token: number, session: Session): void;
  /** Back to the base model's weights; forgets the segment in progress. */
  forget(): void;
  /** What it has learned: each adapted tensor's adapted − shipped values (dense), for a profile. Allocates. */
  deltas(): ProfileDelta[];
  /**
   * Sets the adapted tensors to shipped + delta (a profile's; dense or sparse
   * rows). Throws AdaptError (ADAPT_OPTION_INVALID) for a delta of a tensor it
   * does not adapt or of the wrong size. Cost: one pass over those tensors.
   */
  applyDeltas(deltas: readonly ProfileDelta[]): void;
  /** Bytes this adaptation holds (weights, the originals it decays to, gradients, scratch). */
  readonly byteLength: number;
}
