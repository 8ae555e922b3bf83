import { ErrorCode } from '../errors.ts';
import { AdaptError } from './adapt-error.ts';

/**
 * The recency cache of an adaptive session (Grave, Joulin and Usunier 2017):
 * the last `size` top-layer states h_i, each with the token that followed it,
 * and the mixture p(w) = (1 − λ)·p_model(w) + λ·p_cache(w) with
 * p_cache(w) ∝ Σ_{i: x_{i+1} = w} exp(θ·h_t·h_i). `kind: 'unigram'` weighs
 * every entry alike (θ = 0, no states kept): the recency cache of Presage.
 */
export interface CacheOptions {
  /** 'continuous' (default) or 'unigram'. */
  readonly kind?: 'continuous' | 'unigram';
  /** W, the entries kept (a ring). Default {@link DEFAULT_CACHE}.size. */
  readonly size?: number;
  /** θ, how sharply similar states are preferred (continuous only). */
  readonly theta?: number;
  /** λ ∈ [0, 1), the cache's share of the mixture. */
  readonly lambda?: number;
}

/** CacheOptions with every field present. */
export type ResolvedCacheOptions = { readonly [K in keyof CacheOptions]-?: NonNullable<CacheOptions[K]> };

/**
 * The library's defaults, chosen on the Brown validation split for the
 * shipped model (models/brown-lstm.md, "Adaptation"); a model file may carry
 * its own under metadata.adaptation.cache.
 */
export const DEFAULT_CACHE: ResolvedCacheOptions = Object.freeze({ kind: 'continuous', size: 1000, theta: 0.6, lambda: 0.15 });

/** Largest cache: 2^20 entries (1 GiB of states at H = 256 would be far past a device's budget anyway). */
export const MAX_CACHE_SIZE = 2 ** 20;

/** Fills defaults (from `defaults`, else DEFAULT_CACHE) and checks each field. Throws AdaptError (ADAPT_OPTION_INVALID) naming the bad one. */
export function resolveCacheOptions(options: CacheOptions, defaults: Record<string, unknown> = {}): ResolvedCacheOptions {
  const base = { ...DEFAULT_CACHE, ...defaults } as ResolvedCacheOptions;
  const kind = options.kind ?? base.kind;
  const size = options.size ?? base.size;
  const theta = options.theta ?? base.theta;
  const lambda = options.lambda ?? base.lambda;
  const fail = (what: string): never => {
    throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, `cache ${what}`);
  };
  if (kind !== 'continuous' && kind !== 'unigram') fail(`kind is ${JSON.stringify(kind)}; expected continuous or unigram`);
  if (!Number.isInteger(size) || size < 1 || size > MAX_CACHE_SIZE) fail(`size is ${size}; expected an integer in [1, ${MAX_CACHE_SIZE}]`);
  if (typeof theta !== 'number' || !Number.isFinite(theta) || theta < 0) fail(`theta is ${theta}; expected a finite number ≥ 0`);
  if (typeof lambda !== 'number' || !(lambda >= 0 && lambda < 1)) fail(`lambda is ${lambda}; expected a number in [0, 1)`);
  return Object.freeze({ kind, size, theta, lambda });
}
