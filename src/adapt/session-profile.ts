import { ErrorCode } from '../errors.ts';
import { topHiddenSize } from '../model/architecture.ts';
import type { Model } from '../model/model.ts';
import { AdaptError } from './adapt-error.ts';
import type { AdaptiveSession } from './adaptive-session.ts';
import { checkProfileFor } from './profile/check-profile-for.ts';
import { modelFingerprint } from './profile/model-fingerprint.ts';
import type { AdaptationProfile, ProfileCache, ProfileNewWord } from './profile/profile-contents.ts';

// A fingerprint is one pass over the weights: once per model is enough.
const fingerprints = new WeakMap<Model, string>();

/** modelFingerprint(model), computed once per model. */
export function fingerprintOf(model: Model): string {
  let fingerprint = fingerprints.get(model);
  if (fingerprint === undefined) {
    fingerprint = modelFingerprint(model);
    fingerprints.set(model, fingerprint);
  }
  return fingerprint;
}

/** Options of {@link profileOf}. */
export interface ProfileOfOptions {
  /** Keep the recurrent state too, so the next session resumes mid-text. Default false. */
  readonly includeState?: boolean;
}

/**
 * Everything an adaptive session has learned, as a profile (save it with
 * saveProfile or encodeProfile): its cache entries with their new-word
 * strings, the new words, dynamic evaluation's weight deltas, and (when
 * asked) the recurrent state. Cold path: copies the cache (4·W·(H + 2)
 * bytes) and the deltas (4 bytes per adapted weight), and fingerprints the
 * model once.
 */
export function profileOf(session: AdaptiveSession, options: ProfileOfOptions = {}): AdaptationProfile {
  const model = session.model;
  const a = model.architecture;
  const words: ProfileNewWord[] = [];
  const table = session.newWords;
  if (table !== null) for (let i = 0; i < table.size; i++) words.push({ text: table.textOf(i), count: table.countOf(i) });
  return {
    modelFingerprint: fingerprintOf(model),
    // The width of the cache's states: the top layer's h.
    hiddenSize: topHiddenSize(a),
    vocabSize: a.vocabSize,
    tokensRead: session.tokensRead,
    cache: session.cache === null ? null : cacheEntries(session),
    newWords: words,
    deltas: session.dynamic === null ? [] : session.dynamic.deltas(),
    state: options.includeState === true ? session.snapshot() : null,
  };
}

/**
 * Puts a profile's learning into a session, in place of what it had: the
 * cache entries (the newest that fit its cache; a unigram profile's entries
 * have no states, so a continuous cache skips them), the new words, the
 * weight deltas, the state when the profile has one. Throws ProfileError
 * (PROFILE_MODEL_MISMATCH) for a profile of another model, AdaptError
 * (ADAPT_OPTION_INVALID) when the profile has weight deltas but the session
 * has no dynamic evaluation (or adapts other tensors). Cold path:
 * fingerprints the model once, then copies the profile in.
 */
export function applyProfile(session: AdaptiveSession, profile: AdaptationProfile): void {
  checkProfileFor(profile, session.model, fingerprintOf(session.model));
  if (profile.deltas.length > 0 && session.dynamic === null) {
    throw new AdaptError(
      ErrorCode.ADAPT_OPTION_INVALID,
      `the profile holds weight deltas (${profile.deltas.map((d) => d.name).join(', ')}) but the session has no dynamic evaluation to apply them to; make it with dynamicEvaluation(model, { parameters }) as the profile was made`,
    );
  }
  session.forget();
  if (session.dynamic !== null && profile.deltas.length > 0) session.dynamic.applyDeltas(profile.deltas);
  const indexOfWord: number[] = [];
  for (const word of profile.newWords) indexOfWord.push(session.newWords === null ? -1 : session.newWords.add(word.text, word.count));
  const cache = session.cache;
  const entries = profile.cache;
  if (cache !== null && entries !== null && !(cache.kind === 'continuous' && entries.kind === 'unigram')) {
    const n = entries.tokens.length;
    const H = profile.hiddenSize;
    const zeros = new Float32Array(H);
    for (let i = Math.max(0, n - cache.capacity); i < n; i++) {
      const word = entries.newWordIndices[i];
      const state = entries.kind === 'continuous' ? entries.states.subarray(i * H, i * H + H) : zeros;
      cache.record(state, entries.tokens[i], word >= 0 ? (indexOfWord[word] ?? -1) : -1);
    }
  }
  session.tokensRead = profile.tokensRead;
  if (profile.state !== null) session.restore(profile.state);
}

/** The session's cache entries, oldest first. */
function cacheEntries(session: AdaptiveSession): ProfileCache {
  const cache = session.cache!;
  const n = cache.count;
  const H = cache.hiddenSize;
  const tokens = new Int32Array(n);
  const newWordIndices = new Int32Array(n);
  const states = new Float32Array(cache.kind === 'continuous' ? n * H : 0);
  for (let i = 0; i < n; i++) {
    const slot = cache.slotOf(i);
    tokens[i] = cache.tokens[slot];
    newWordIndices[i] = cache.newWordIndices[slot];
    if (cache.kind === 'continuous') states.set(cache.stateView(slot), i * H);
  }
  return { kind: cache.kind, capacity: cache.capacity, tokens, newWordIndices, states };
}
