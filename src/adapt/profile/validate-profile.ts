import { ErrorCode } from '../../errors.ts';
import type { AdaptationProfile, ProfileCache, ProfileDelta, ProfileNewWord } from './profile-contents.ts';
import {
  CACHE_KINDS,
  DELTA_NAME,
  FINGERPRINT,
  hasLoneSurrogate,
  MAX_FINGERPRINT_LENGTH,
  MAX_WORD_LENGTH,
  VECTOR_NAME,
  WHITESPACE,
} from './profile-document.ts';
import { ProfileError } from './profile-error.ts';
import type { ResolvedProfileLimits } from './profile-limits.ts';
import { showValue } from './show-value.ts';

/**
 * Checks every rule of docs/PROFILE-FORMAT.md on an in-memory profile: the
 * type of each field (INVALID_FIELD), the limits (LIMIT_EXCEEDED), the values
 * and their consistency — token ids below vocabSize, new-word indices in
 * [−1, newWords.length), cache and state lengths, delta rows ascending and
 * inside the tensor, counts and words (PROFILE_INVALID) — and that every
 * float is finite (PROFILE_NOT_FINITE). Throws ProfileError naming the field
 * and index. It does not look at any model (checkProfileFor does).
 * encodeProfile runs it before writing and decodeProfile after reading, so
 * both sides hold a profile to the same rules.
 * Cost: one pass over every array of the profile; allocates a Set of the
 * words and one of the delta names.
 */
export function validateProfile(profile: AdaptationProfile, limits: ResolvedProfileLimits): void {
  if (!isObject(profile)) throw invalidField(`the profile is ${showValue(profile)}, expected an object`);
  const fingerprint = profile.modelFingerprint;
  if (typeof fingerprint !== 'string') throw invalidField(`modelFingerprint is ${showValue(fingerprint)}, expected a string`);
  if (!FINGERPRINT.test(fingerprint)) {
    throw invalid(`modelFingerprint is ${showValue(fingerprint)}, expected 1 to ${MAX_FINGERPRINT_LENGTH} lowercase hex digits`);
  }
  const hiddenSize = checkInteger(profile.hiddenSize, 'hiddenSize', 1);
  checkLimit(hiddenSize, limits.maxHiddenSize, 'hiddenSize', 'maxHiddenSize');
  const vocabSize = checkInteger(profile.vocabSize, 'vocabSize', 0);
  checkLimit(vocabSize, limits.maxVocabulary, 'vocabSize', 'maxVocabulary');
  checkInteger(profile.tokensRead, 'tokensRead', 0);

  const newWords = profile.newWords;
  if (!Array.isArray(newWords)) throw invalidField(`newWords is ${showValue(newWords)}, expected an array`);
  checkLimit(newWords.length, limits.maxNewWords, 'newWords has', 'maxNewWords', 'entries');
  const seen = new Map<string, number>();
  newWords.forEach((word, i) => {
    checkNewWord(word, i);
    const first = seen.get(word.text);
    if (first !== undefined) throw invalid(`newWords[${i}].text ${showValue(word.text)} repeats newWords[${first}]: each new word appears once`);
    seen.set(word.text, i);
  });

  if (profile.cache !== null) checkCache(profile.cache, hiddenSize, vocabSize, newWords.length, limits);

  const deltas = profile.deltas;
  if (!Array.isArray(deltas)) throw invalidField(`deltas is ${showValue(deltas)}, expected an array`);
  checkLimit(deltas.length, limits.maxDeltas, 'deltas has', 'maxDeltas', 'entries');
  const names = new Map<string, number>();
  deltas.forEach((delta, i) => {
    checkDelta(delta, i, limits);
    const first = names.get(delta.name);
    if (first !== undefined) throw invalid(`deltas[${i}] is a second delta for ${delta.name} (deltas[${first}] is the first)`);
    names.set(delta.name, i);
  });

  const state = profile.state;
  if (state !== null) {
    if (!(state instanceof Float32Array)) throw invalidField(`state is ${showValue(state)}, expected a Float32Array or null`);
    checkLimit(state.length, limits.maxTensorElements, 'state has', 'maxTensorElements', 'elements');
    // Its exact length is the model's (checkProfileFor): a mixed stack's h and C need not be a multiple of the top layer's size.
    if (state.length === 0) throw invalid('state has 0 elements, expected the state of a session (h, then C for LSTM layers)');
    checkFinite(state, 'state', 0);
  }
}

function checkNewWord(word: ProfileNewWord, i: number): void {
  if (!isObject(word)) throw invalidField(`newWords[${i}] is ${showValue(word)}, expected an object with text and count`);
  const text = word.text;
  if (typeof text !== 'string') throw invalidField(`newWords[${i}].text is ${showValue(text)}, expected a string`);
  if (text.length === 0 || text.length > MAX_WORD_LENGTH) {
    throw invalid(`newWords[${i}].text has ${text.length} UTF-16 units, expected 1 to ${MAX_WORD_LENGTH}`);
  }
  const space = WHITESPACE.exec(text);
  if (space !== null) {
    const code = space[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw invalid(`newWords[${i}].text ${showValue(text)} contains whitespace (U+${code} at unit ${space.index}); a word has none`);
  }
  if (hasLoneSurrogate(text)) throw invalid(`newWords[${i}].text ${showValue(text)} holds an unpaired surrogate, which has no UTF-8 form`);
  checkInteger(word.count, `newWords[${i}].count`, 1);
}

function checkCache(cache: ProfileCache, hiddenSize: number, vocabSize: number, wordCount: number, limits: ResolvedProfileLimits): void {
  if (!isObject(cache)) throw invalidField(`cache is ${showValue(cache)}, expected an object or null`);
  const kind = cache.kind;
  if (typeof kind !== 'string') throw invalidField(`cache.kind is ${showValue(kind)}, expected a string`);
  if (!(CACHE_KINDS as readonly string[]).includes(kind)) throw invalid(`cache.kind is ${showValue(kind)}, expected "continuous" or "unigram"`);
  const capacity = checkInteger(cache.capacity, 'cache.capacity', 1);
  checkLimit(capacity, limits.maxCacheCapacity, 'cache.capacity', 'maxCacheCapacity');
  const { tokens, newWordIndices, states } = cache;
  if (!(tokens instanceof Int32Array)) throw invalidField(`cache.tokens is ${showValue(tokens)}, expected an Int32Array`);
  if (!(newWordIndices instanceof Int32Array)) throw invalidField(`cache.newWordIndices is ${showValue(newWordIndices)}, expected an Int32Array`);
  if (!(states instanceof Float32Array)) throw invalidField(`cache.states is ${showValue(states)}, expected a Float32Array`);
  const n = tokens.length;
  if (n > capacity) throw invalid(`cache holds ${n} entries, more than its capacity ${capacity}`);
  if (newWordIndices.length !== n) throw invalid(`cache.newWordIndices has ${newWordIndices.length} entries, expected ${n} (one per token)`);
  const expectedStates = kind === 'continuous' ? n * hiddenSize : 0;
  if (states.length !== expectedStates) {
    throw invalid(
      kind === 'continuous'
        ? `cache.states has ${states.length} elements, expected ${expectedStates} (${n} entries × hiddenSize ${hiddenSize})`
        : `cache.states has ${states.length} elements; a unigram cache keeps no states (expected 0)`,
    );
  }
  for (let i = 0; i < n; i++) {
    const token = tokens[i];
    if (token < 0 || token >= vocabSize) throw invalid(`cache.tokens[${i}] is ${token}, outside the vocabulary [0, ${vocabSize})`);
    const index = newWordIndices[i];
    if (index < -1 || index >= wordCount) {
      throw invalid(`cache.newWordIndices[${i}] is ${index}, expected −1 or an index into the ${wordCount} new words`);
    }
  }
  checkFinite(states, 'cache.states', hiddenSize);
}

function checkDelta(delta: ProfileDelta, i: number, limits: ResolvedProfileLimits): void {
  if (!isObject(delta)) throw invalidField(`deltas[${i}] is ${showValue(delta)}, expected an object`);
  const name = delta.name;
  if (typeof name !== 'string') throw invalidField(`deltas[${i}].name is ${showValue(name)}, expected a string`);
  if (!DELTA_NAME.test(name)) {
    throw invalid(`deltas[${i}].name is ${showValue(name)}, expected embedding, layers.{l}.weight, layers.{l}.bias, head.weight or head.bias`);
  }
  const where = `deltas[${i}] (${name})`;
  const shape = delta.shape;
  if (!Array.isArray(shape) || shape.length !== 2) throw invalidField(`${where}: shape is ${showValue(shape)}, expected [rows, columns]`);
  const rowCount = checkInteger(shape[0], `${where}: shape[0]`, 1);
  const columns = checkInteger(shape[1], `${where}: shape[1]`, 1);
  if (rowCount * columns > limits.maxTensorElements) {
    throw new ProfileError(
      ErrorCode.LIMIT_EXCEEDED,
      `${where}: shape [${rowCount}, ${columns}] has ${rowCount * columns} elements, over the maxTensorElements limit of ${limits.maxTensorElements}`,
    );
  }
  if (VECTOR_NAME.test(name) && columns !== 1) throw invalid(`${where}: shape is [${rowCount}, ${columns}]; a bias is a vector, shape [length, 1]`);
  const rows = delta.rows;
  const values = delta.values;
  if (rows !== null && !(rows instanceof Int32Array)) throw invalidField(`${where}: rows is ${showValue(rows)}, expected an Int32Array or null`);
  if (!(values instanceof Float32Array)) throw invalidField(`${where}: values is ${showValue(values)}, expected a Float32Array`);
  if (rows !== null) {
    if (rows.length > rowCount) throw invalid(`${where}: ${rows.length} rows given, more than the tensor's ${rowCount}`);
    let previous = -1;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row <= previous || row >= rowCount) {
        throw invalid(
          row >= rowCount
            ? `${where}: rows[${r}] is ${row}, outside the tensor's rows [0, ${rowCount})`
            : `${where}: rows[${r}] is ${row} after ${previous}; rows must be distinct and ascending`,
        );
      }
      previous = row;
    }
  }
  const expected = (rows === null ? rowCount : rows.length) * columns;
  if (values.length !== expected) {
    throw invalid(
      rows === null
        ? `${where}: a dense delta has ${values.length} values, expected ${expected} (shape [${rowCount}, ${columns}])`
        : `${where}: a sparse delta of ${rows.length} rows has ${values.length} values, expected ${expected} (${rows.length} × ${columns} columns)`,
    );
  }
  checkFinite(values, `${where}: values`, columns);
}

/** Throws PROFILE_NOT_FINITE at the first NaN or ±Infinity, naming its index (and row and column when width > 0). */
function checkFinite(values: Float32Array, what: string, width: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // v - v is 0 for a finite v and NaN for NaN and ±Infinity: one compare in the loop.
    if (v - v !== 0) {
      const at = width > 0 ? `element ${i} (row ${Math.floor(i / width)}, column ${i % width})` : `element ${i}`;
      throw new ProfileError(ErrorCode.PROFILE_NOT_FINITE, `${what} ${at} is ${v}; every float of a profile is finite`);
    }
  }
}

function checkInteger(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number') throw invalidField(`${what} is ${showValue(value)}, expected a number`);
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(`${what} is ${showValue(value)}, expected ${min === 0 ? 'a non-negative' : 'a positive'} integer (at most 2^53 − 1)`);
  }
  return value;
}

function checkLimit(value: number, limit: number, what: string, limitName: string, unit?: string): void {
  if (value > limit) {
    const stated = unit === undefined ? `${what} is ${value}` : `${what} ${value} ${unit}`;
    throw new ProfileError(ErrorCode.LIMIT_EXCEEDED, `${stated}, over the ${limitName} limit of ${limit}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function invalid(message: string): ProfileError {
  return new ProfileError(ErrorCode.PROFILE_INVALID, message);
}

function invalidField(message: string): ProfileError {
  return new ProfileError(ErrorCode.INVALID_FIELD, message);
}
