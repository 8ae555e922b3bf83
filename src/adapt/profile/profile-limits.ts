/**
 * Size limits a profile reader enforces before it allocates anything of that
 * size, so a small hostile file cannot make it allocate more than these
 * allow. Every field is optional; {@link DEFAULT_PROFILE_LIMITS} fills the
 * rest. encodeProfile holds a profile to the defaults, so every file it
 * writes loads with the default limits.
 */
export interface ProfileLimits {
  /** Largest file, in bytes. Default 256 MiB. */
  readonly maxBytes?: number;
  /** Largest cache capacity W (and so cache entries). Default 100,000. */
  readonly maxCacheCapacity?: number;
  /** Largest hiddenSize H. Default 65,536. */
  readonly maxHiddenSize?: number;
  /** Largest vocabSize V. Default 2^21, as for model files. */
  readonly maxVocabulary?: number;
  /** Most new words. Default 100,000. */
  readonly maxNewWords?: number;
  /** Most weight deltas. Default 64. */
  readonly maxDeltas?: number;
  /** Most elements in one float or int payload (cache states, a delta's tensor, the state). Default 2^28. */
  readonly maxTensorElements?: number;
}

/** The limits with every field present. */
export type ResolvedProfileLimits = { readonly [K in keyof ProfileLimits]-?: number };

/** Defaults for {@link ProfileLimits}: generous for a real writer's profile, far below what a hostile file could ask. */
export const DEFAULT_PROFILE_LIMITS: ResolvedProfileLimits = Object.freeze({
  maxBytes: 256 * 2 ** 20,
  maxCacheCapacity: 100_000,
  maxHiddenSize: 65_536,
  maxVocabulary: 2 ** 21,
  maxNewWords: 100_000,
  maxDeltas: 64,
  maxTensorElements: 2 ** 28,
});

/**
 * Fills the defaults in. A limit that is not a non-negative number is a
 * programming error, not a bad file, so it is a RangeError (as for model
 * files' resolveLimits). Cost: one small object.
 */
export function resolveProfileLimits(limits: ProfileLimits = {}): ResolvedProfileLimits {
  const resolved: Record<string, number> = { ...DEFAULT_PROFILE_LIMITS };
  for (const key of Object.keys(DEFAULT_PROFILE_LIMITS) as (keyof ResolvedProfileLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`profile limit ${key} is ${String(value)}; expected a non-negative number`);
    resolved[key] = value;
  }
  return resolved as ResolvedProfileLimits;
}
