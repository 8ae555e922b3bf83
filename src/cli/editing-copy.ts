import { AdaptiveSession } from '../adapt/adaptive-session.ts';
import { applyProfile, profileOf } from '../adapt/session-profile.ts';
import type { WeightAdaptation } from '../adapt/weight-adaptation.ts';

/**
 * A working copy of `learner` for a LearningTextTracker to edit on: an
 * AdaptiveSession of the same model with the same cache settings and
 * new-word capacity, holding what the learner has learned so far (its
 * profile, applied once). With dynamic evaluation the copy steps the
 * learner's adapted weights as they change but never adapts them itself,
 * so the weights are learned from the taught text only. What the copy's
 * cache learns from the text being typed is its own and is never saved.
 * Cost: a second cache (ContinuousCache's memory) and one profile copy now;
 * the weights are shared, not copied.
 */
export function editingCopyOf(learner: AdaptiveSession): AdaptiveSession {
  const cache = learner.cache;
  const copy = new AdaptiveSession(learner.model, {
    cache: cache === null ? false : { kind: cache.kind, size: cache.capacity, theta: cache.theta, lambda: cache.lambda },
    newWords: learner.newWords === null ? false : { maxWords: learner.newWords.capacity },
    dynamic: learner.dynamic === null ? null : readOnlyWeights(learner.dynamic),
  });
  applyProfile(copy, profileOf(learner));
  return copy;
}

/** The adapted weights of `dynamic`, to step without adapting: it observes nothing, forgets nothing, holds nothing. */
function readOnlyWeights(dynamic: WeightAdaptation): WeightAdaptation {
  return {
    model: dynamic.model,
    baseModel: dynamic.baseModel,
    observe() {},
    forget() {},
    deltas: () => [],
    applyDeltas() {},
    byteLength: 0,
  };
}
