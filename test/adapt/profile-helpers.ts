import { decode, encode } from '@msgpack/msgpack';
import { expect } from 'vitest';
import { decodeProfile } from '../../src/adapt/profile/profile-codec.ts';
import type { AdaptationProfile } from '../../src/adapt/profile/profile-contents.ts';
import { ProfileError } from '../../src/adapt/profile/profile-error.ts';
import type { ProfileLimits } from '../../src/adapt/profile/profile-limits.ts';
import { crc32Reference } from '../format/model-file-helpers.ts';

/** Deterministic floats in about ±1 (no PRNG state shared between tests). */
export function floats(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** A continuous-cache profile with new words, a sparse and a dense delta, and a state: H 4, V 10, 2 LSTM layers. */
export function continuousProfile(): AdaptationProfile {
  return {
    modelFingerprint: '0123456789abcdef',
    hiddenSize: 4,
    vocabSize: 10,
    tokensRead: 123_456,
    cache: {
      kind: 'continuous',
      capacity: 8,
      tokens: Int32Array.from([3, 0, 9, 0, 5]),
      newWordIndices: Int32Array.from([-1, 0, -1, 1, -1]),
      states: floats(5 * 4, 7),
    },
    newWords: [
      { text: 'Zyxt', count: 2 },
      { text: 'naïve-ish😀', count: 1 },
    ],
    deltas: [
      { name: 'embedding', shape: [10, 5], rows: Int32Array.from([1, 3, 7]), values: floats(3 * 5, 11) },
      { name: 'layers.1.bias', shape: [16, 1], rows: null, values: floats(16, 13) },
      { name: 'head.weight', shape: [10, 4], rows: Int32Array.from([]), values: new Float32Array(0) },
    ],
    state: floats(2 * 2 * 4, 17),
  };
}

/** A unigram-cache profile: tokens only, no states, no deltas, no state. */
export function unigramProfile(): AdaptationProfile {
  return {
    modelFingerprint: 'ffee',
    hiddenSize: 256,
    vocabSize: 17_906,
    tokensRead: 0,
    cache: {
      kind: 'unigram',
      capacity: 100,
      tokens: Int32Array.from([17_905, 0, 42, 42]),
      newWordIndices: Int32Array.from([-1, -1, 0, -1]),
      states: new Float32Array(0),
    },
    newWords: [{ text: 'blorp', count: 7 }],
    deltas: [],
    state: null,
  };
}

/** The least a profile can hold: no cache, words, deltas or state. */
export function emptyProfile(): AdaptationProfile {
  return { modelFingerprint: 'a', hiddenSize: 1, vocabSize: 0, tokensRead: 0, cache: null, newWords: [], deltas: [], state: null };
}

/** The decoded MessagePack document of a profile file, for editing. */
export function documentOf(bytes: Uint8Array): Record<string, any> {
  return decode(bytes) as Record<string, any>;
}

/**
 * Encodes a document as a profile file with a correct checksum, following
 * docs/PROFILE-FORMAT.md independently of the library's writer: the
 * "checksum" entry last as a uint32 holding the CRC-32 (a bitwise reference
 * implementation) of every byte before its 14-byte entry.
 */
export function seal(document: Record<string, unknown>): Uint8Array {
  const { checksum: _ignored, ...rest } = document;
  const bytes = encode({ ...rest, checksum: 0xffffffff });
  const crc = crc32Reference(bytes.subarray(0, bytes.length - 14));
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc);
  return bytes;
}

/** Recomputes the trailer CRC of damaged bytes when the trailer is still there, so the damage reaches the checks behind the checksum. */
export function reseal(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  if (copy.length >= 15 && copy[copy.length - 5] === 0xce && copy[copy.length - 14] === 0xa8) {
    new DataView(copy.buffer).setUint32(copy.length - 4, crc32Reference(copy.subarray(0, copy.length - 14)));
  }
  return copy;
}

/** Little-endian bytes of int32 values, as the format stores them. */
export function int32Bytes(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return bytes;
}

/** Little-endian bytes of f32 values, as the format stores them. */
export function float32Bytes(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** Decodes and returns the ProfileError it must throw. */
export function profileErrorOf(bytes: Uint8Array, options: ProfileLimits = {}): ProfileError {
  try {
    decodeProfile(bytes, options);
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    return error;
  }
  throw new Error('expected decodeProfile to throw');
}

/** Expects decodeProfile to throw ProfileError with this code, and a message matching `mention`. */
export function expectProfileError(bytes: Uint8Array, code: string, mention?: RegExp, options: ProfileLimits = {}): void {
  const error = profileErrorOf(bytes, options);
  expect(error.code, error.message).toBe(code);
  if (mention !== undefined) expect(error.message).toMatch(mention);
}

/** A profile's arrays as plain data, so two profiles compare exactly (typed-array kind included). */
export function plain(profile: AdaptationProfile): unknown {
  const arrays = (value: Int32Array | Float32Array | null): unknown => (value === null ? null : { kind: value.constructor.name, values: Array.from(value) });
  return {
    ...profile,
    cache: profile.cache === null ? null : { ...profile.cache, tokens: arrays(profile.cache.tokens), newWordIndices: arrays(profile.cache.newWordIndices), states: arrays(profile.cache.states) },
    deltas: profile.deltas.map((d) => ({ ...d, shape: [...d.shape], rows: arrays(d.rows), values: arrays(d.values) })),
    newWords: profile.newWords.map((w) => ({ ...w })),
    state: arrays(profile.state),
  };
}
