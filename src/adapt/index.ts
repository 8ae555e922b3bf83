// lstm-stream/adapt: dynamic evaluation, which needs the trainer's gradients,
// so it ships as its own entry and the inference entry never carries them.
// The cache, new words and profiles are in the inference entry (and repeated
// here so one import covers adaptation).
export { DynamicEvaluation, dynamicEvaluation } from './dynamic/dynamic-evaluation.ts';
export { DEFAULT_DYNAMIC, ON_DEVICE_DYNAMIC, resolveDynamicOptions, type DynamicEvaluationOptions, type ResolvedDynamicOptions, type AdaptedParameters } from './dynamic/dynamic-options.ts';
export { AdaptiveSession, adaptiveSession, type AdaptivePrediction } from './adaptive-session.ts';
export type { AdaptationOptions } from './adaptation-options.ts';
export type { WeightAdaptation } from './weight-adaptation.ts';
export { ContinuousCache } from './continuous-cache.ts';
export { DEFAULT_CACHE, resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from './cache-options.ts';
export { NewWordTable } from './new-words.ts';
export { AdaptError } from './adapt-error.ts';
export { profileOf, applyProfile, fingerprintOf, type ProfileOfOptions } from './session-profile.ts';
export { encodeProfile, decodeProfile } from './profile/profile-codec.ts';
export { saveProfile, loadProfile, type LoadProfileOptions } from './profile/profile-file.ts';
export { modelFingerprint } from './profile/model-fingerprint.ts';
export { checkProfileFor } from './profile/check-profile-for.ts';
export { ProfileError } from './profile/profile-error.ts';
export type { AdaptationProfile, ProfileCache, ProfileNewWord, ProfileDelta } from './profile/profile-contents.ts';
