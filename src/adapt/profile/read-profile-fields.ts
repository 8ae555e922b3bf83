import { ErrorCode } from '../../errors.ts';
import { bytesToFloat32 } from '../../format/tensor-bytes.ts';
import { bytesToInt32 } from './int32-bytes.ts';
import type { AdaptationProfile, ProfileCache, ProfileDelta, ProfileNewWord } from './profile-contents.ts';
import { CACHE_KEYS, DELTA_KEYS, NEW_WORD_KEYS, PROFILE_KEYS } from './profile-document.ts';
import { ProfileError } from './profile-error.ts';
import type { ResolvedProfileLimits } from './profile-limits.ts';
import { showValue } from './show-value.ts';

/**
 * Turns a decoded profile document (format, version and checksum already
 * checked) into an AdaptationProfile: every key known and present
 * (INVALID_FIELD otherwise), every field of the right MessagePack type, each
 * binary a whole number of 4-byte elements, and the counts that decide an
 * allocation (cache entries, delta rows and values, new words, deltas)
 * checked against the limits and the capacity *before* the typed array is
 * made. Binary payloads are copied into fresh aligned typed arrays, so the
 * profile keeps no reference to the file. The value rules come after, in
 * validateProfile. Cost: allocates the profile's arrays once (at most the
 * file's size in all).
 */
export function readProfileFields(document: Record<string, unknown>, limits: ResolvedProfileLimits): AdaptationProfile {
  checkKeys(document, PROFILE_KEYS, 'the top-level map');
  const newWords = readArray(document.newWords, 'newWords', limits.maxNewWords, 'maxNewWords').map(readNewWord);
  const deltas = readArray(document.deltas, 'deltas', limits.maxDeltas, 'maxDeltas').map((entry, i) => readDelta(entry, i, limits));
  return {
    modelFingerprint: readString(document.modelFingerprint, 'modelFingerprint'),
    hiddenSize: readNumber(document.hiddenSize, 'hiddenSize'),
    vocabSize: readNumber(document.vocabSize, 'vocabSize'),
    tokensRead: readNumber(document.tokensRead, 'tokensRead'),
    cache: document.cache === null ? null : readCache(document.cache, limits),
    newWords,
    deltas,
    state: document.state === null ? null : bytesToFloat32(readBinary(document.state, 'state', limits.maxTensorElements)),
  };
}

function readCache(value: unknown, limits: ResolvedProfileLimits): ProfileCache {
  if (!isMap(value)) throw invalidField(`cache is ${showValue(value)}, expected a map or nil`);
  checkKeys(value, CACHE_KEYS, 'cache');
  const kind = readString(value.kind, 'cache.kind');
  const capacity = readCount(value.capacity, 'cache.capacity');
  if (capacity > limits.maxCacheCapacity) {
    throw new ProfileError(ErrorCode.LIMIT_EXCEEDED, `cache.capacity is ${capacity}, over the maxCacheCapacity limit of ${limits.maxCacheCapacity}`);
  }
  const tokens = readBinary(value.tokens, 'cache.tokens', limits.maxTensorElements);
  const n = tokens.length / 4;
  // The entry count decides every allocation below: hold it to the capacity first.
  if (n > capacity) throw invalid(`cache holds ${n} entries, more than its capacity ${capacity}`);
  const newWordIndices = readBinary(value.newWordIndices, 'cache.newWordIndices', limits.maxTensorElements);
  if (newWordIndices.length !== tokens.length) {
    throw invalid(`cache.newWordIndices has ${newWordIndices.length / 4} entries, expected ${n} (one per token)`);
  }
  const states = readBinary(value.states, 'cache.states', limits.maxTensorElements);
  return {
    kind: kind as ProfileCache['kind'],
    capacity,
    tokens: bytesToInt32(tokens),
    newWordIndices: bytesToInt32(newWordIndices),
    states: bytesToFloat32(states),
  };
}

function readNewWord(value: unknown, i: number): ProfileNewWord {
  if (!isMap(value)) throw invalidField(`newWords[${i}] is ${showValue(value)}, expected a map with text and count`);
  checkKeys(value, NEW_WORD_KEYS, `newWords[${i}]`);
  return { text: readString(value.text, `newWords[${i}].text`), count: readNumber(value.count, `newWords[${i}].count`) };
}

function readDelta(value: unknown, i: number, limits: ResolvedProfileLimits): ProfileDelta {
  if (!isMap(value)) throw invalidField(`deltas[${i}] is ${showValue(value)}, expected a map`);
  checkKeys(value, DELTA_KEYS, `deltas[${i}]`);
  const name = readString(value.name, `deltas[${i}].name`);
  const where = `deltas[${i}] (${showValue(name)})`;
  const shape = value.shape;
  if (!Array.isArray(shape) || shape.length !== 2) throw invalidField(`${where}: shape is ${showValue(shape)}, expected [rows, columns]`);
  const rowCount = readCount(shape[0], `${where}: shape[0]`);
  const columns = readCount(shape[1], `${where}: shape[1]`);
  if (rowCount * columns > limits.maxTensorElements) {
    throw new ProfileError(
      ErrorCode.LIMIT_EXCEEDED,
      `${where}: shape [${rowCount}, ${columns}] has ${rowCount * columns} elements, over the maxTensorElements limit of ${limits.maxTensorElements}`,
    );
  }
  let rows: Int32Array | null = null;
  if (value.rows !== null) {
    const rowBytes = readBinary(value.rows, `${where}: rows`, limits.maxTensorElements);
    if (rowBytes.length / 4 > rowCount) throw invalid(`${where}: ${rowBytes.length / 4} rows given, more than the tensor's ${rowCount}`);
    rows = bytesToInt32(rowBytes);
  }
  const values = readBinary(value.values, `${where}: values`, limits.maxTensorElements);
  // Checked before the Float32Array is made, so the shape (not only the file) bounds it.
  const expected = (rows === null ? rowCount : rows.length) * columns;
  if (values.length / 4 !== expected) {
    throw invalid(`${where}: ${values.length / 4} values, expected ${expected} (${rows === null ? `shape [${rowCount}, ${columns}]` : `${rows.length} rows × ${columns} columns`})`);
  }
  return { name, shape: [rowCount, columns], rows, values: bytesToFloat32(values) };
}

/** Every key of `keys` present, and no other. Missing keys are named before unknown ones. */
function checkKeys(map: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const key of keys) {
    if (!Object.hasOwn(map, key)) throw invalidField(`${where} has no ${JSON.stringify(key)} entry`);
  }
  const present = Object.keys(map);
  if (present.length !== keys.length) {
    const unknown = present.find((key) => !keys.includes(key));
    throw invalidField(`${where} has unknown key ${showValue(unknown)}; a new field means a new version`);
  }
}

function readArray(value: unknown, what: string, limit: number, limitName: string): unknown[] {
  if (!Array.isArray(value)) throw invalidField(`${what} is ${showValue(value)}, expected an array`);
  if (value.length > limit) {
    throw new ProfileError(ErrorCode.LIMIT_EXCEEDED, `${what} has ${value.length} entries, over the ${limitName} limit of ${limit}`);
  }
  return value;
}

/** A binary of whole 4-byte elements, at most maxElements of them. */
function readBinary(value: unknown, what: string, maxElements: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidField(`${what} is ${showValue(value)}, expected binary`);
  if (value.length % 4 !== 0) throw invalidField(`${what} has ${value.length} bytes, not a whole number of 4-byte elements`);
  if (value.length / 4 > maxElements) {
    throw new ProfileError(ErrorCode.LIMIT_EXCEEDED, `${what} has ${value.length / 4} elements, over the maxTensorElements limit of ${maxElements}`);
  }
  return value;
}

function readString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalidField(`${what} is ${showValue(value)}, expected a string`);
  return value;
}

function readNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') throw invalidField(`${what} is ${showValue(value)}, expected an integer`);
  return value;
}

/** A positive safe integer: the sizes that decide an allocation are checked here, before it, not only in validateProfile. */
function readCount(value: unknown, what: string): number {
  const count = readNumber(value, what);
  if (!Number.isSafeInteger(count) || count < 1) throw invalid(`${what} is ${showValue(count)}, expected a positive integer`);
  return count;
}

/** True for a decoded MessagePack map (a plain object), false for arrays, binaries and scalars. */
function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function invalid(message: string): ProfileError {
  return new ProfileError(ErrorCode.PROFILE_INVALID, message);
}

function invalidField(message: string): ProfileError {
  return new ProfileError(ErrorCode.INVALID_FIELD, message);
}
