// The fixed vocabulary of a profile file (docs/PROFILE-FORMAT.md): its name,
// version, keys and string rules, in one place so the writer, the reader and
// the validator cannot drift apart.

/** The `format` value every profile file starts with. */
export const PROFILE_FORMAT_NAME = 'lstm-stream-profile';

/** The version this library writes and reads. */
export const PROFILE_FORMAT_VERSION = 1;

/** Top-level keys, in the order writers emit them (format first and checksum last are required of files). */
export const PROFILE_KEYS = [
  'format',
  'version',
  'modelFingerprint',
  'hiddenSize',
  'vocabSize',
  'tokensRead',
  'cache',
  'newWords',
  'deltas',
  'state',
  'checksum',
] as const;

/** Keys of the cache map, in writing order. */
export const CACHE_KEYS = ['kind', 'capacity', 'tokens', 'newWordIndices', 'states'] as const;

/** Keys of one new-word map, in writing order. */
export const NEW_WORD_KEYS = ['text', 'count'] as const;

/** Keys of one delta map, in writing order. */
export const DELTA_KEYS = ['name', 'shape', 'rows', 'values'] as const;

/** The cache kinds. */
export const CACHE_KINDS = ['continuous', 'unigram'] as const;

/** Longest model fingerprint, in characters (lowercase hex). modelFingerprint writes 16. */
export const MAX_FINGERPRINT_LENGTH = 128;

/** Longest new word, in UTF-16 code units (what String.length counts). */
export const MAX_WORD_LENGTH = 64;

/**
 * Longest MessagePack string a profile may hold, in UTF-8 bytes: a word of
 * 64 UTF-16 units takes at most 192 (3 bytes a unit; a surrogate pair is 2
 * units and 4 bytes), the fingerprint 128, a delta name a few dozen. The
 * structural scan refuses anything longer before decoding it.
 */
export const MAX_STRING_BYTES = 256;

/** Most entries in any map of a profile (the top level has 11). */
export const MAX_MAP_ENTRIES = 16;

/**
 * A delta's tensor name, as model files name tensors: `embedding`,
 * `layers.{l}.weight`, `layers.{l}.bias` (l decimal, no leading zeros,
 * at most 6 digits), `head.weight`, `head.bias`.
 */
export const DELTA_NAME = /^(?:embedding|head\.weight|head\.bias|layers\.(?:0|[1-9][0-9]{0,5})\.(?:weight|bias))$/;

/** Names of vectors (biases): their delta shape is [length, 1]. */
export const VECTOR_NAME = /\.bias$/;

/**
 * Whitespace a new word must not contain: ECMAScript's WhiteSpace and
 * LineTerminator (what `\s` matches), spelled out so the rule does not
 * depend on an engine's Unicode tables: U+0009–U+000D, U+0020, U+00A0,
 * U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
 */
export const WHITESPACE = /[\u0009-\u000d\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * Whether text holds a lone (unpaired) surrogate: such a string has no UTF-8
 * form, so it would not survive the file. A loop rather than a regular
 * expression, because the expression needs lookbehind, which older Safari
 * cannot parse (and String.prototype.isWellFormed is newer still).
 * Cost: one pass over the string.
 */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit >= 0xdc00) return true; // a low surrogate with no high one before it
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (next < 0xdc00 || next > 0xdfff) return true;
    i++; // a whole pair
  }
  return false;
}

/** A model fingerprint: 1 to 128 lowercase hex digits. */
export const FINGERPRINT = new RegExp(`^[0-9a-f]{1,${MAX_FINGERPRINT_LENGTH}}$`);
