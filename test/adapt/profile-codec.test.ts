import { encode, ExtData } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { decodeProfile, encodeProfile } from '../../src/adapt/profile/profile-codec.ts';
import type { AdaptationProfile } from '../../src/adapt/profile/profile-contents.ts';
import { ProfileError } from '../../src/adapt/profile/profile-error.ts';
import { ErrorCode, LstmStreamError } from '../../src/errors.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import { encodeModel } from '../../src/format/encode-model.ts';
import {
  continuousProfile,
  documentOf,
  emptyProfile,
  expectProfileError,
  float32Bytes,
  int32Bytes,
  plain,
  profileErrorOf,
  seal,
  unigramProfile,
} from './profile-helpers.ts';

/** A valid profile file with one edit to its document, resealed so the edit itself is what fails. */
function edited(edit: (document: Record<string, any>) => void, base: AdaptationProfile = continuousProfile()): Uint8Array {
  const document = documentOf(encodeProfile(base));
  edit(document);
  return seal(document);
}

/** encodeProfile on a profile with one change must throw ProfileError with this code. */
function expectEncodeError(change: (profile: any) => void, code: string, mention?: RegExp): void {
  const profile: any = structuredClone(continuousProfile());
  change(profile);
  try {
    encodeProfile(profile);
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).code, (error as Error).message).toBe(code);
    if (mention !== undefined) expect((error as Error).message).toMatch(mention);
    return;
  }
  throw new Error('expected encodeProfile to throw');
}

describe('profile files: round trip', () => {
  it.each([
    ['continuous cache, new words, sparse and dense deltas, state', continuousProfile],
    ['unigram cache', unigramProfile],
    ['empty profile', emptyProfile],
  ])('%s: decodeProfile(encodeProfile(p)) gives back exactly p', (_name, make) => {
    const profile = make();
    const bytes = encodeProfile(profile);
    const back = decodeProfile(bytes);
    expect(plain(back)).toEqual(plain(profile));
    // Fresh aligned arrays, not views into the file.
    for (const array of [back.state, back.cache?.tokens, back.cache?.states, ...back.deltas.map((d) => d.values)]) {
      if (array) expect(array.buffer).not.toBe(bytes.buffer);
    }
    // Deterministic: the same profile gives the same bytes, and re-encoding the decoded profile too.
    expect(encodeProfile(back)).toEqual(bytes);
  });

  it('keeps -0, subnormals, the extreme finite floats and int32 extremes bit for bit', () => {
    const profile = { ...continuousProfile(), state: Float32Array.from([-0, 1e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754942e-38, 0, 0.1, -1.5, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const back = decodeProfile(encodeProfile(profile));
    expect(Object.is(back.state![0], -0)).toBe(true);
    expect(Array.from(back.state!)).toEqual(Array.from(profile.state));
    const big = { ...emptyProfile(), tokensRead: Number.MAX_SAFE_INTEGER, vocabSize: 2 ** 21, hiddenSize: 65_536 };
    expect(decodeProfile(encodeProfile(big)).tokensRead).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('lays the file out as docs/PROFILE-FORMAT.md says: format first, then version, ..., checksum trailer last', () => {
    const bytes = encodeProfile(emptyProfile());
    expect(Array.from(bytes.subarray(0, 1 + 7 + 20))).toEqual([0x8b, 0xa6, ...new TextEncoder().encode('format'), 0xb3, ...new TextEncoder().encode('lstm-stream-profile')]);
    expect(Object.keys(documentOf(bytes))).toEqual(['format', 'version', 'modelFingerprint', 'hiddenSize', 'vocabSize', 'tokensRead', 'cache', 'newWords', 'deltas', 'state', 'checksum']);
    expect(Array.from(bytes.subarray(bytes.length - 14, bytes.length - 4))).toEqual([0xa8, ...new TextEncoder().encode('checksum'), 0xce]);
    // Payloads are little-endian binaries.
    const document = documentOf(encodeProfile(continuousProfile()));
    expect(document.cache.tokens).toEqual(int32Bytes([3, 0, 9, 0, 5]));
    expect(document.deltas[0].rows).toEqual(int32Bytes([1, 3, 7]));
    expect(document.deltas[1].rows).toBeNull();
    expect(document.deltas[0].shape).toEqual([10, 5]);
    expect(document.state).toEqual(float32Bytes(Array.from(continuousProfile().state!)));
  });

  it('a document written independently of the writer (keys in another middle order) reads back', () => {
    const document = documentOf(encodeProfile(continuousProfile()));
    const { format, version, checksum: _c, ...middle } = document;
    const reordered = Object.fromEntries(Object.entries(middle).reverse());
    const back = decodeProfile(seal({ format, version, ...reordered }));
    expect(plain(back)).toEqual(plain(continuousProfile()));
  });
});

describe('profile files: every refusal is a ProfileError with a stable code', () => {
  it('ProfileError is a LstmStreamError', () => {
    const error = profileErrorOf(new Uint8Array([1, 2, 3]));
    expect(error).toBeInstanceOf(LstmStreamError);
    expect(error.name).toBe('ProfileError');
  });

  it('not MessagePack, not a profile, a model file, the wrong version', () => {
    expectProfileError(new TextEncoder().encode('hello, world\n'), ErrorCode.NOT_MSGPACK, /not a MessagePack profile file/);
    expectProfileError(Uint8Array.from([0xc1]), ErrorCode.NOT_MSGPACK);
    expectProfileError(encode([1, 2, 3]), ErrorCode.WRONG_FORMAT, /not a profile file/);
    expectProfileError(encode({ version: 1, format: 'lstm-stream-profile' }), ErrorCode.WRONG_FORMAT);
    const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: 5, inputSize: 3, hiddenSize: 2, numLayers: 1, head: 'softmax', outputSize: 5 });
    expectProfileError(encodeModel(model), ErrorCode.WRONG_FORMAT, /this is a model file: load it with loadModel/);
    expectProfileError(edited((d) => (d.format = 'lstm-stream-profil')), ErrorCode.WRONG_FORMAT, /format is "lstm-stream-profil"/);
    expectProfileError(edited((d) => (d.version = 2)), ErrorCode.UNSUPPORTED_VERSION, /version is 2; this reader supports version 1/);
    expect(() => decodeProfile('abc' as unknown as Uint8Array)).toThrow(ProfileError);
  });

  it('truncated, trailing bytes, extension types, byte C1', () => {
    const bytes = encodeProfile(continuousProfile());
    expectProfileError(new Uint8Array(0), ErrorCode.TRUNCATED, /empty/);
    for (const cut of [1, 5, 30, bytes.length - 15, bytes.length - 1]) expectProfileError(bytes.subarray(0, cut), ErrorCode.TRUNCATED, /truncated/);
    expectProfileError(Uint8Array.from([...bytes, 0]), ErrorCode.TRAILING_BYTES, /1 trailing byte/);
    expectProfileError(edited((d) => (d.tokensRead = new ExtData(1, new Uint8Array(2)))), ErrorCode.EXTENSION_TYPE, /profile files use no extension types/);
    expectProfileError(edited((d) => (d.tokensRead = new Date(0))), ErrorCode.EXTENSION_TYPE);
    const withC1 = bytes.slice();
    withC1[bytes.indexOf(0xa9, 8)] = 0xc1; // the fixstr header of a key
    expectProfileError(withC1, ErrorCode.NOT_MSGPACK, /0xc1/);
  });

  it('checksum missing, not last, or wrong', () => {
    const bytes = encodeProfile(continuousProfile());
    const { checksum: _c, ...rest } = documentOf(bytes);
    expectProfileError(encode(rest), ErrorCode.CHECKSUM_MISSING, /checksum is missing/);
    expectProfileError(encode({ ...rest, checksum: 5 }), ErrorCode.CHECKSUM_MISSING); // a fixint, not CE + 4 bytes
    const { format, version, ...middle } = documentOf(bytes);
    const checksumFirst = seal({ format, version, ...middle });
    expect(decodeProfile(checksumFirst).hiddenSize).toBe(4); // the seal helper puts it last again
    const flipped = bytes.slice();
    flipped[bytes.length - 15] ^= 0x10; // inside the state payload, the last value before the trailer
    expectProfileError(flipped, ErrorCode.CHECKSUM_MISMATCH, /checksum mismatch: the profile says CRC-32 0x[0-9a-f]{8}, its first \d+ bytes give/);
    const wrongCrc = bytes.slice();
    wrongCrc[wrongCrc.length - 1] ^= 1;
    expectProfileError(wrongCrc, ErrorCode.CHECKSUM_MISMATCH);
  });

  it('unknown, missing and wrongly typed fields: INVALID_FIELD naming the field', () => {
    expectProfileError(edited((d) => (d.shiny = true)), ErrorCode.INVALID_FIELD, /the top-level map has unknown key "shiny"/);
    expectProfileError(edited((d) => delete d.state), ErrorCode.INVALID_FIELD, /the top-level map has no "state" entry/);
    expectProfileError(edited((d) => (d.cache.extra = 1)), ErrorCode.INVALID_FIELD, /cache has unknown key "extra"/);
    expectProfileError(edited((d) => delete d.deltas[1].rows), ErrorCode.INVALID_FIELD, /deltas\[1\] has no "rows" entry/);
    expectProfileError(edited((d) => (d.newWords[0].weight = 1)), ErrorCode.INVALID_FIELD, /newWords\[0\] has unknown key "weight"/);
    expectProfileError(edited((d) => (d.modelFingerprint = 12)), ErrorCode.INVALID_FIELD, /modelFingerprint is 12, expected a string/);
    expectProfileError(edited((d) => (d.hiddenSize = '4')), ErrorCode.INVALID_FIELD, /hiddenSize is "4", expected an integer/);
    expectProfileError(edited((d) => (d.cache = [])), ErrorCode.INVALID_FIELD, /cache is an array of 0, expected a map or nil/);
    expectProfileError(edited((d) => (d.cache.tokens = [3, 0, 9, 0, 5])), ErrorCode.INVALID_FIELD, /cache\.tokens is an array of 5, expected binary/);
    expectProfileError(edited((d) => (d.cache.states = d.cache.states.subarray(1))), ErrorCode.INVALID_FIELD, /cache\.states has 79 bytes, not a whole number of 4-byte elements/);
    expectProfileError(edited((d) => (d.newWords = {})), ErrorCode.INVALID_FIELD, /newWords is a map, expected an array/);
    expectProfileError(edited((d) => (d.newWords[1] = 'word')), ErrorCode.INVALID_FIELD, /newWords\[1\] is "word", expected a map/);
    expectProfileError(edited((d) => (d.deltas[0].shape = [10])), ErrorCode.INVALID_FIELD, /deltas\[0\] \("embedding"\): shape is an array of 1/);
    expectProfileError(edited((d) => (d.deltas[0].values = null)), ErrorCode.INVALID_FIELD, /values is null, expected binary/);
    expectProfileError(edited((d) => (d.state = 1.5)), ErrorCode.INVALID_FIELD, /state is 1.5, expected binary/);
    // A map key the decoder refuses.
    expectProfileError(edited((d) => (d.cache = { ['__proto__']: 1 })), ErrorCode.INVALID_FIELD, /__proto__/);
  });

  it('values out of range or inconsistent: PROFILE_INVALID naming the field and index', () => {
    expectProfileError(edited((d) => (d.modelFingerprint = 'ABCD')), ErrorCode.PROFILE_INVALID, /modelFingerprint is "ABCD", expected 1 to 128 lowercase hex digits/);
    expectProfileError(edited((d) => (d.modelFingerprint = '')), ErrorCode.PROFILE_INVALID);
    expectProfileError(edited((d) => (d.modelFingerprint = 'a'.repeat(129))), ErrorCode.PROFILE_INVALID);
    expectProfileError(edited((d) => (d.hiddenSize = 0)), ErrorCode.PROFILE_INVALID, /hiddenSize is 0, expected a positive integer/);
    expectProfileError(edited((d) => (d.hiddenSize = 4.5)), ErrorCode.PROFILE_INVALID);
    expectProfileError(edited((d) => (d.vocabSize = -1)), ErrorCode.PROFILE_INVALID, /vocabSize is -1/);
    expectProfileError(edited((d) => (d.tokensRead = -3)), ErrorCode.PROFILE_INVALID, /tokensRead is -3, expected a non-negative integer/);
    expectProfileError(edited((d) => (d.tokensRead = 2 ** 60)), ErrorCode.PROFILE_INVALID, /tokensRead/);
    expectProfileError(edited((d) => (d.tokensRead = Number.NaN)), ErrorCode.PROFILE_INVALID, /tokensRead is NaN/);
    // The cache.
    expectProfileError(edited((d) => (d.cache.kind = 'recency')), ErrorCode.PROFILE_INVALID, /cache\.kind is "recency", expected "continuous" or "unigram"/);
    expectProfileError(edited((d) => (d.cache.capacity = 4)), ErrorCode.PROFILE_INVALID, /cache holds 5 entries, more than its capacity 4/);
    expectProfileError(edited((d) => (d.cache.capacity = 0)), ErrorCode.PROFILE_INVALID, /cache\.capacity is 0, expected a positive integer/);
    expectProfileError(edited((d) => (d.cache.tokens = int32Bytes([3, 0, 10, 0, 5]))), ErrorCode.PROFILE_INVALID, /cache\.tokens\[2\] is 10, outside the vocabulary \[0, 10\)/);
    expectProfileError(edited((d) => (d.cache.tokens = int32Bytes([3, 0, 9, -1, 5]))), ErrorCode.PROFILE_INVALID, /cache\.tokens\[3\] is -1/);
    expectProfileError(edited((d) => (d.cache.newWordIndices = int32Bytes([-1, 0, -1, 2, -1]))), ErrorCode.PROFILE_INVALID, /cache\.newWordIndices\[3\] is 2, expected −1 or an index into the 2 new words/);
    expectProfileError(edited((d) => (d.cache.newWordIndices = int32Bytes([-2, 0, -1, 1, -1]))), ErrorCode.PROFILE_INVALID, /newWordIndices\[0\] is -2/);
    expectProfileError(edited((d) => (d.cache.newWordIndices = int32Bytes([-1, 0, -1, 1]))), ErrorCode.PROFILE_INVALID, /cache\.newWordIndices has 4 entries, expected 5/);
    expectProfileError(edited((d) => (d.cache.states = d.cache.states.subarray(4))), ErrorCode.PROFILE_INVALID, /cache\.states has 19 elements, expected 20 \(5 entries × hiddenSize 4\)/);
    expectProfileError(edited((d) => (d.cache.states = float32Bytes([1])), unigramProfile()), ErrorCode.PROFILE_INVALID, /a unigram cache keeps no states/);
    // New words.
    expectProfileError(edited((d) => (d.newWords[1].text = 'two words')), ErrorCode.PROFILE_INVALID, /newWords\[1\]\.text "two words" contains whitespace \(U\+0020 at unit 3\)/);
    expectProfileError(edited((d) => (d.newWords[1].text = 'nbsp\u00a0')), ErrorCode.PROFILE_INVALID, /U\+00a0/);
    expectProfileError(edited((d) => (d.newWords[0].text = '')), ErrorCode.PROFILE_INVALID, /newWords\[0\]\.text has 0 UTF-16 units, expected 1 to 64/);
    expectProfileError(edited((d) => (d.newWords[0].text = 'x'.repeat(65))), ErrorCode.PROFILE_INVALID, /has 65 UTF-16 units/);
    expectProfileError(edited((d) => (d.newWords[1].text = 'Zyxt')), ErrorCode.PROFILE_INVALID, /newWords\[1\]\.text "Zyxt" repeats newWords\[0\]/);
    expectProfileError(edited((d) => (d.newWords[0].count = 0)), ErrorCode.PROFILE_INVALID, /newWords\[0\]\.count is 0, expected a positive integer/);
    expectProfileError(edited((d) => (d.newWords[0].count = 1.5)), ErrorCode.PROFILE_INVALID);
    // Deltas.
    expectProfileError(edited((d) => (d.deltas[1].name = 'layers.01.bias')), ErrorCode.PROFILE_INVALID, /deltas\[1\]\.name is "layers\.01\.bias"/);
    expectProfileError(edited((d) => (d.deltas[1].name = 'embedding')), ErrorCode.PROFILE_INVALID, /deltas\[1\] is a second delta for embedding/);
    expectProfileError(edited((d) => (d.deltas[0].rows = int32Bytes([1, 7, 3]))), ErrorCode.PROFILE_INVALID, /deltas\[0\] \(embedding\): rows\[2\] is 3 after 7; rows must be distinct and ascending/);
    expectProfileError(edited((d) => (d.deltas[0].rows = int32Bytes([1, 3, 3]))), ErrorCode.PROFILE_INVALID, /rows\[2\] is 3 after 3/);
    expectProfileError(edited((d) => (d.deltas[0].rows = int32Bytes([1, 3, 10]))), ErrorCode.PROFILE_INVALID, /rows\[2\] is 10, outside the tensor's rows \[0, 10\)/);
    expectProfileError(edited((d) => (d.deltas[0].rows = int32Bytes([-1, 3, 7]))), ErrorCode.PROFILE_INVALID, /rows\[0\] is -1/);
    expectProfileError(edited((d) => (d.deltas[0].rows = int32Bytes(Array.from({ length: 11 }, (_, i) => i)))), ErrorCode.PROFILE_INVALID, /11 rows given, more than the tensor's 10/);
    expectProfileError(edited((d) => (d.deltas[0].values = d.deltas[0].values.subarray(4))), ErrorCode.PROFILE_INVALID, /14 values, expected 15 \(3 rows × 5 columns\)/);
    expectProfileError(edited((d) => (d.deltas[1].values = d.deltas[1].values.subarray(4))), ErrorCode.PROFILE_INVALID, /15 values, expected 16 \(shape \[16, 1\]\)/);
    expectProfileError(edited((d) => (d.deltas[1].shape = [8, 2])), ErrorCode.PROFILE_INVALID, /a bias is a vector, shape \[length, 1\]/);
    expectProfileError(edited((d) => (d.deltas[0].shape = [0, 5])), ErrorCode.PROFILE_INVALID, /shape\[0\] is 0, expected a positive integer/);
    // The state.
    expectProfileError(edited((d) => (d.state = new Uint8Array(0))), ErrorCode.PROFILE_INVALID, /state has 0 elements/);
  });

  it('NaN or ±Infinity anywhere: PROFILE_NOT_FINITE naming where', () => {
    const at = (values: number[], i: number, v: number): Uint8Array => float32Bytes(values.map((x, j) => (j === i ? v : x)));
    const base = continuousProfile();
    expectProfileError(edited((d) => (d.state = at(Array.from(base.state!), 5, Number.NaN))), ErrorCode.PROFILE_NOT_FINITE, /state element 5 is NaN/);
    expectProfileError(edited((d) => (d.cache.states = at(Array.from(base.cache!.states), 9, Infinity))), ErrorCode.PROFILE_NOT_FINITE, /cache\.states element 9 \(row 2, column 1\) is Infinity/);
    expectProfileError(edited((d) => (d.deltas[0].values = at(Array.from(base.deltas[0].values), 14, -Infinity))), ErrorCode.PROFILE_NOT_FINITE, /deltas\[0\] \(embedding\): values element 14 \(row 2, column 4\) is -Infinity/);
    // A NaN with a payload (not the canonical one) is caught too.
    const payloadNaN = float32Bytes(Array.from(base.deltas[1].values));
    new DataView(payloadNaN.buffer).setUint32(8, 0x7fa00001, true);
    expectProfileError(edited((d) => (d.deltas[1].values = payloadNaN)), ErrorCode.PROFILE_NOT_FINITE, /deltas\[1\] \(layers\.1\.bias\): values element 2/);
  });

  it('sizes beyond the limits: LIMIT_EXCEEDED naming the limit, before anything of that size is allocated', () => {
    const bytes = encodeProfile(continuousProfile());
    expectProfileError(bytes, ErrorCode.LIMIT_EXCEEDED, /over the maxBytes limit of 100/, { maxBytes: 100 });
    expectProfileError(bytes, ErrorCode.LIMIT_EXCEEDED, /hiddenSize is 4, over the maxHiddenSize limit of 3/, { maxHiddenSize: 3 });
    expectProfileError(bytes, ErrorCode.LIMIT_EXCEEDED, /vocabSize is 10, over the maxVocabulary limit of 9/, { maxVocabulary: 9 });
    expectProfileError(bytes, ErrorCode.LIMIT_EXCEEDED, /cache\.capacity is 8, over the maxCacheCapacity limit of 7/, { maxCacheCapacity: 7 });
    expectProfileError(bytes, ErrorCode.LIMIT_EXCEEDED, /newWords has 2 entries, over the maxNewWords limit of 1/, { maxNewWords: 1 });
    expectProfileError(bytes, ErrorCode.LIMIT_EXCEEDED, /deltas has 3 entries, over the maxDeltas limit of 2/, { maxDeltas: 2 });
    expectProfileError(bytes, ErrorCode.LIMIT_EXCEEDED, /over the maxTensorElements limit of 30/, { maxTensorElements: 30 });
    expectProfileError(edited((d) => (d.deltas[0].shape = [2 ** 20, 2 ** 20])), ErrorCode.LIMIT_EXCEEDED, /shape \[1048576, 1048576\] has 1099511627776 elements, over the maxTensorElements limit/);
    expectProfileError(edited((d) => (d.cache.capacity = 100_001)), ErrorCode.LIMIT_EXCEEDED, /maxCacheCapacity limit of 100000/);
    // Declared lengths far beyond the bytes that follow: refused by the scan, with the profile's own limit names.
    const magic = [0x8b, 0xa6, ...new TextEncoder().encode('format')];
    const hostile = (tail: number[]): Uint8Array => Uint8Array.from([...magic, ...tail, ...Array(40).fill(0)]);
    expectProfileError(hostile([0xc6, 0xff, 0xff, 0xff, 0xff]), ErrorCode.LIMIT_EXCEEDED, /the binary at byte 8 has length 4294967295, over the limit of 268435456 \(maxBytes and maxTensorElements × 4\)/);
    expectProfileError(hostile([0xdd, 0xff, 0xff, 0xff, 0xff]), ErrorCode.LIMIT_EXCEEDED, /\(maxNewWords and maxDeltas\)/);
    expectProfileError(hostile([0xdf, 0x00, 0x01, 0x00, 0x00]), ErrorCode.LIMIT_EXCEEDED, /at most 16 entries/);
    expectProfileError(hostile([0xdb, 0x00, 0x00, 0x01, 0x01]), ErrorCode.LIMIT_EXCEEDED, /strings are at most 256 bytes/);
    expectProfileError(hostile([0xdd, 0x00, 0x01, 0x00, 0x00]), ErrorCode.TRUNCATED, /values to read/);
    // A string over 256 bytes anywhere, even in a well-formed document.
    expectProfileError(edited((d) => (d.modelFingerprint = 'a'.repeat(300))), ErrorCode.LIMIT_EXCEEDED, /the string at byte \d+ has length 300/);
  });

  it('deep nesting is refused without recursion or a large allocation', () => {
    const depth = 200_000;
    const nested = new Uint8Array(9 + depth + 1);
    nested.set([0x81, 0xa6, ...new TextEncoder().encode('format')]);
    nested.fill(0x91, 8, 8 + depth); // [[[[ … 200,000 deep
    nested[8 + depth] = 0x01;
    expectProfileError(nested.subarray(0, 8 + depth + 1), ErrorCode.WRONG_FORMAT, /format is an array of 1/);
    expectProfileError(edited((d) => (d.newWords = [[[[[[[[[[[]]]]]]]]]]])), ErrorCode.INVALID_FIELD, /newWords\[0\] is an array of 1, expected a map/);
  });

  it('encodeProfile refuses what decodeProfile would refuse, with the same codes', () => {
    expectEncodeError((p) => (p.cache.tokens = [3, 0, 9, 0, 5]), ErrorCode.INVALID_FIELD, /cache\.tokens is an array of 5, expected an Int32Array/);
    expectEncodeError((p) => (p.state = Array.from(p.state)), ErrorCode.INVALID_FIELD, /state is an array of 16, expected a Float32Array or null/);
    expectEncodeError((p) => (p.deltas = null), ErrorCode.INVALID_FIELD, /deltas is null/);
    expectEncodeError((p) => (p.cache.tokens = Int32Array.from([3, 0, 99, 0, 5])), ErrorCode.PROFILE_INVALID, /cache\.tokens\[2\] is 99/);
    expectEncodeError((p) => (p.newWords[0].text = 'a\tb'), ErrorCode.PROFILE_INVALID, /whitespace \(U\+0009/);
    expectEncodeError((p) => (p.newWords[0].text = 'x\ud800'), ErrorCode.PROFILE_INVALID, /unpaired surrogate/);
    expectEncodeError((p) => (p.newWords[0].text = '\udc00x'), ErrorCode.PROFILE_INVALID, /unpaired surrogate/);
    expectEncodeError((p) => (p.newWords[0].text = '\udc00\ud800'), ErrorCode.PROFILE_INVALID, /unpaired surrogate/);
    expectEncodeError((p) => (p.newWords[0].text = '\ud800\ud83d\ude00'), ErrorCode.PROFILE_INVALID, /unpaired surrogate/);
    expectEncodeError((p) => p.state.fill(Number.NaN, 3, 4), ErrorCode.PROFILE_NOT_FINITE, /state element 3 is NaN/);
    expectEncodeError((p) => (p.tokensRead = 2 ** 53), ErrorCode.PROFILE_INVALID, /tokensRead/);
    expectEncodeError((p) => (p.hiddenSize = 65_537), ErrorCode.LIMIT_EXCEEDED, /maxHiddenSize/);
    expectEncodeError((p) => (p.deltas = Array.from({ length: 65 }, (_, i) => ({ name: `layers.${i}.bias`, shape: [1, 1], rows: null, values: new Float32Array(1) }))), ErrorCode.LIMIT_EXCEEDED, /deltas has 65 entries, over the maxDeltas limit of 64/);
    expect(() => encodeProfile(null as unknown as AdaptationProfile)).toThrow(ProfileError);
  });
});
