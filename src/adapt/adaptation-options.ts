import type { CacheOptions } from './cache-options.ts';
import type { WeightAdaptation } from './weight-adaptation.ts';

/** How an AdaptiveSession adapts to its writer. */
export interface AdaptationOptions {
  /**
   * The recency cache: options (missing fields from the model's
   * metadata.adaptation.cache, then the library's DEFAULT_CACHE), or false
   * for none. Default: on.
   */
  readonly cache?: CacheOptions | false;
  /**
   * Words outside the vocabulary become suggestions (they share the unknown
   * token's probability): `{ maxWords }` (default 10,000) or false. Default: on.
   */
  readonly newWords?: { readonly maxWords?: number } | false;
  /** Dynamic evaluation (`dynamicEvaluation(model, options)` from `lstm-stream/adapt`), or none. */
  readonly dynamic?: WeightAdaptation | null;
}
