// The page's adaptation to its writer, on the public API: a
// LearningTextTracker over two AdaptiveSessions of the model. The tracker
// edits on one (the working copy, which keeps the suggestions adapted while
// the writer types and corrects); the other, the learner, is taught each
// finished sentence once, and its profile is what the page keeps.
//
// Cache and new words only, no dynamic evaluation, for two reasons: it
// lives in the `lstm-stream/adapt` entry, which carries the trainer's BPTT
// graph into the page's bundle, and it needs a private f32 copy of the
// weights with their gradients: 60 MB (biases only) to 89 MB (all weights)
// per page for the shipped q8 model (AdaptiveSession.byteLength), against
// 1.7 MB for the cache, and a gradient step every segment on the page's
// one thread while the writer types.
import { adaptiveSession, applyProfile, decodeProfile, encodeProfile, fingerprintOf, LearningTextTracker, profileOf } from 'lstm-stream';

/** The library's defaults: a continuous cache (its size, θ and λ chosen on Brown validation) and new words. */
const ADAPTATION = Object.freeze({});

/**
 * Makes the adaptation for `model`, with what `savedBytes` (a profile's
 * bytes, or null) holds. A profile that does not decode or belongs to
 * another model is ignored, and `refused` says why (a typed ProfileError's
 * code and message). Returns { tracker, learner, refused, fingerprintMs,
 * loadMs, profileBytes() }: fingerprintMs is the one pass over the weights
 * that tells whether a profile belongs to this model (once per page), loadMs
 * the decoding and applying after it; profileBytes encodes the learner's
 * profile (a copy of its cache: about 1 KB per entry for the shipped model,
 * 1,008 KB once the default cache is full).
 */
export function createWriterAdaptation(model, savedBytes) {
  const learner = adaptiveSession(model, ADAPTATION);
  const editor = adaptiveSession(model, ADAPTATION);
  let refused = null;
  let loadMs = null;
  let fingerprintMs = null;
  if (savedBytes !== null) {
    const fingerprinting = performance.now();
    fingerprintOf(model);
    fingerprintMs = performance.now() - fingerprinting;
    const started = performance.now();
    try {
      const profile = decodeProfile(savedBytes);
      applyProfile(learner, profile);
      applyProfile(editor, profile);
      loadMs = performance.now() - started;
    } catch (error) {
      learner.forget();
      editor.forget();
      refused = `${error.code ?? error.name}: ${error.message}`;
    }
  }
  return {
    tracker: new LearningTextTracker(editor, learner),
    learner,
    refused,
    fingerprintMs,
    loadMs,
    profileBytes: () => encodeProfile(profileOf(learner)),
  };
}
