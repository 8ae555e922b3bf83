/**
 * Size limits a reader enforces before it allocates anything of that size,
 * so a small hostile file cannot make it allocate gigabytes. Every field is
 * optional; {@link DEFAULT_LIMITS} fills the rest.
 */
export interface FormatLimits {
  /** Largest file, in bytes. Default 1 GiB. */
  readonly maxBytes?: number;
  /** Largest tensor, in elements (rows × cols). Default 2^28 (1 GiB as f32). */
  readonly maxTensorElements?: number;
  /** Largest vocabulary (and vocabSize / outputSize of a token model). Default 2^21. */
  readonly maxVocabulary?: number;
  /** Longest string (vocabulary entry, metadata text), in UTF-8 bytes. Default 1 MiB. */
  readonly maxStringLength?: number;
  /** Most elements in any array other than the vocabulary (metadata lists, tensors, shapes). Default 65,536. */
  readonly maxArrayLength?: number;
  /** Most entries in any map. Default 65,536. */
  readonly maxMapLength?: number;
}

/** The limits with every field present. */
export type ResolvedLimits = { readonly [K in keyof FormatLimits]-?: number };

/** Defaults for {@link FormatLimits}: generous for real models, far below what a hostile file could ask. */
export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({
  maxBytes: 2 ** 30,
  maxTensorElements: 2 ** 28,
  maxVocabulary: 2 ** 21,
  maxStringLength: 2 ** 20,
  maxArrayLength: 65_536,
  maxMapLength: 65_536,
});

/** Fills the defaults in; a limit that is not a non-negative number is a programming error (RangeError). */
export function resolveLimits(limits: FormatLimits = {}): ResolvedLimits {
  const resolved: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ResolvedLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`limit ${key} is ${String(value)}; expected a non-negative number`);
    resolved[key] = value;
  }
  return resolved as ResolvedLimits;
}
