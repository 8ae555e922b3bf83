import type { Model } from '../model/model.ts';

/**
 * The adaptation settings a model file carries for itself, under
 * metadata.adaptation.<section> (e.g. `{ cache: { size, theta, lambda },
 * dynamic: { learningRate, decay, segment } }`): the given keys that are set.
 * Values are not checked here; the options' resolvers check them as they
 * check a caller's. Cold path.
 */
export function modelAdaptationDefaults(model: Model, section: 'cache' | 'dynamic', keys: readonly string[]): Record<string, unknown> {
  const adaptation = model.metadata.adaptation;
  if (adaptation === null || typeof adaptation !== 'object') return {};
  const fields = (adaptation as Record<string, unknown>)[section];
  if (fields === null || typeof fields !== 'object') return {};
  const defaults: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (fields as Record<string, unknown>)[key];
    if (value !== undefined) defaults[key] = value;
  }
  return defaults;
}
