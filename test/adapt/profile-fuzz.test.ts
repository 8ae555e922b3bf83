import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProfile, encodeProfile } from '../../src/adapt/profile/profile-codec.ts';
import type { AdaptationProfile } from '../../src/adapt/profile/profile-contents.ts';
import { ProfileError } from '../../src/adapt/profile/profile-error.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { meterAllocations } from '../interop/allocation-meter.ts';
import { collectGarbage, liveHeapBytes } from '../stream/heap.ts';
import { continuousProfile, documentOf, emptyProfile, float32Bytes, floats, int32Bytes, plain, reseal, seal, unigramProfile } from './profile-helpers.ts';

// Damaged and hostile profile files: each must decode to a valid profile
// (possible only when the damage is harmless) or throw ProfileError — never
// another error, never a hang, never an allocation beyond the file's own
// size, and no heap left behind. 8,000 files in four properties, plus the
// hand-made hostile headers, on every runtime: the whole run takes a few
// seconds on Node, Deno and Bun alike, so none needs a smaller count.
const RUNS = { bytes: 2_500, resealed: 2_500, documents: 2_000, random: 1_000 };
const SEED = Number(process.env.PROFILE_FUZZ_SEED ?? 20261214);
// Measured on the 2-core development machine under load: about 5 s on Node,
// 3 s on Deno, 4 s on Bun (slowest file about 50 ms, a collection landing in it). The bounds leave room for a slow CI
// machine or emulation while still catching a hang or a super-linear path.
const MAX_TOTAL_MILLISECONDS = 60_000;
const MAX_MILLISECONDS_PER_FILE = 2_000;
// A decode copies each payload once into an aligned typed array, so what it
// allocates in typed arrays is bounded by the file's length (plus a little
// for the CRC table and small headers).
const ALLOCATION_SLACK_BYTES = 16 * 1024;
const MAX_HEAP_GROWTH_BYTES = 4 * 2 ** 20;

/** A larger profile: many words, a long cache, several deltas. */
function busyProfile(): AdaptationProfile {
  const words = Array.from({ length: 40 }, (_, i) => ({ text: `wörd${i}`, count: i + 1 }));
  const n = 30;
  return {
    modelFingerprint: '9e3779b97f4a7c15',
    hiddenSize: 3,
    vocabSize: 50,
    tokensRead: 2 ** 40,
    cache: {
      kind: 'continuous',
      capacity: 32,
      tokens: Int32Array.from({ length: n }, (_, i) => (i * 7) % 50),
      newWordIndices: Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? i % 40 : -1)),
      states: floats(n * 3, 21),
    },
    newWords: words,
    deltas: [
      { name: 'embedding', shape: [50, 3], rows: Int32Array.from([0, 2, 49]), values: floats(9, 22) },
      { name: 'layers.0.weight', shape: [12, 6], rows: null, values: floats(72, 23) },
      { name: 'layers.0.bias', shape: [12, 1], rows: Int32Array.from([5]), values: floats(1, 24) },
      { name: 'head.bias', shape: [50, 1], rows: null, values: floats(50, 25) },
    ],
    state: floats(6, 26),
  };
}

const SEEDS = [continuousProfile(), unigramProfile(), emptyProfile(), busyProfile()].map(encodeProfile);

// MessagePack headers that declare big or odd things: what a reader is tempted to allocate or recurse on.
const HOSTILE_HEADERS: number[][] = [
  [0xc6, 0xff, 0xff, 0xff, 0xff], // bin 32 of 4 GiB
  [0xc6, 0x10, 0x00, 0x00, 0x00], // bin 32 of 256 MiB
  [0xc5, 0xff, 0xff], // bin 16 of 64 KiB
  [0xdd, 0xff, 0xff, 0xff, 0xff], // array 32 of 2^32 − 1
  [0xdd, 0x00, 0x01, 0x86, 0xa0], // array 32 of 100,000
  [0xdc, 0xff, 0xff], // array 16 of 65,535
  [0xdf, 0xff, 0xff, 0xff, 0xff], // map 32 of 2^32 − 1
  [0xde, 0x00, 0x10], // map 16 of 16
  [0xdb, 0xff, 0xff, 0xff, 0xff], // str 32 of 4 GiB
  [0xd9, 0xff], // str 8 of 255
  [0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91], // nesting
  [0xc7, 0x04, 0x01], // ext 8
  [0xd6, 0xff, 0x00, 0x00, 0x00, 0x00], // fixext 4: the timestamp extension
  [0xc1], // never used
  [0xcb, 0x7f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // float 64 NaN
  [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // uint 64 max
  [0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // int 64 min
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'header'; at: number; which: number; replace: boolean };

// Positions are fractions of the length, uniform over the file (fast-check's integers favour small values).
const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('header' as const), at: position, which: fc.nat({ max: HOSTILE_HEADERS.length - 1 }), replace: fc.boolean() }),
);

function applyMutation(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = Math.floor(m.at * bytes.length);
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      if (at < out.length) out[at] ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      if (at < out.length) out[at] = m.value;
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + m.length));
    case 'truncate':
      return bytes.slice(0, at);
    case 'header': {
      const header = Uint8Array.from(HOSTILE_HEADERS[m.which]);
      return concat(bytes.subarray(0, at), header, bytes.subarray(m.replace ? Math.min(bytes.length, at + header.length) : at));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const damagedBytes = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
});

function damage({ seed, mutations }: { seed: number; mutations: Mutation[] }): Uint8Array {
  let bytes = SEEDS[seed];
  for (const m of mutations) bytes = applyMutation(bytes, m);
  return bytes;
}

// Values a hostile writer might put anywhere in an otherwise valid document.
const F32_NAN = float32Bytes([Number.NaN]);
const HOSTILE_VALUES: unknown[] = [
  Number.NaN, Infinity, -Infinity, -1, 0, 1, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, -(2 ** 63), Number.MAX_SAFE_INTEGER,
  '', ' ', 'a b', 'x'.repeat(64), 'x'.repeat(65), 'ABCDEF', 'embedding', 'layers.0.weight', 'head.bias', 'unigram', 'continuous', 'lstm-stream',
  null, true, false, [], {}, [[[[[[]]]]]], [1, 2], [2 ** 20, 2 ** 20], [0, 1], [-1, 4], { text: 'w', count: 1 },
  { name: 'head.bias', shape: [50, 1], rows: null, values: new Uint8Array(200) },
  { kind: 'continuous', capacity: 100_000, tokens: new Uint8Array(0), newWordIndices: new Uint8Array(0), states: new Uint8Array(0) },
  new Uint8Array(0), new Uint8Array(3), new Uint8Array(4), new Uint8Array(64), F32_NAN, float32Bytes([Infinity, 1]),
  int32Bytes([2 ** 31 - 1]), int32Bytes([-(2 ** 31)]), int32Bytes([-2, -1, 0]), int32Bytes([5, 5]), int32Bytes([3, 2, 1]),
];

type DocumentEdit =
  | { kind: 'value'; path: number; value: number }
  | { kind: 'delete'; path: number }
  | { kind: 'element'; path: number; element: number; bits: number }
  | { kind: 'add'; key: string; value: number };

const documentEdit: fc.Arbitrary<DocumentEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('value' as const), path: fc.nat(), value: fc.nat({ max: HOSTILE_VALUES.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.nat() }) },
  // One 4-byte element of a payload replaced: NaN, ±Infinity, huge or negative ints, or random bits.
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('element' as const),
      path: fc.nat(),
      element: fc.nat(),
      bits: fc.oneof(fc.constantFrom(0x7fc00000, 0x7f800000, 0xff800000, 0x7fa00001, 0xffffffff, 0x80000000, 0x7fffffff, 50, 49, 40, 12, 3), fc.integer({ min: 0, max: 0xffffffff })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom('extra', 'checksum', 'format', 'cache', 'x'), value: fc.nat({ max: HOSTILE_VALUES.length - 1 }) }) },
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown };

/** Every entry of the document (maps and arrays, not into binaries), in a fixed order. */
function slotsOf(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ parent: value, key: i, value: item });
      slotsOf(item, out);
    });
  } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const [key, item] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key, value: item });
      slotsOf(item, out);
    }
  }
  return out;
}

function editDocument(seed: number, edits: DocumentEdit[]): Uint8Array {
  const document = documentOf(SEEDS[seed]);
  for (const edit of edits) {
    if (edit.kind === 'add') {
      document[edit.key] = HOSTILE_VALUES[edit.value];
      continue;
    }
    const slots = slotsOf(document).filter((s) => s.key !== 'format' && s.key !== 'checksum');
    const binaries = slots.filter((s) => s.value instanceof Uint8Array && s.value.length >= 4);
    if (edit.kind === 'element') {
      if (binaries.length === 0) continue;
      const slot = binaries[edit.path % binaries.length];
      const bytes = (slot.value as Uint8Array).slice();
      new DataView(bytes.buffer).setUint32(4 * (edit.element % Math.floor(bytes.length / 4)), edit.bits >>> 0, true);
      (slot.parent as Record<string | number, unknown>)[slot.key] = bytes;
      continue;
    }
    if (slots.length === 0) continue;
    const slot = slots[edit.path % slots.length];
    if (edit.kind === 'delete') {
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
    } else {
      (slot.parent as Record<string | number, unknown>)[slot.key] = HOSTILE_VALUES[edit.value];
    }
  }
  return seal(document);
}

interface Tally {
  files: number;
  profiles: number;
  codes: Map<string, number>;
  examples: Map<string, string>;
  worstMilliseconds: number;
  largestAllocation: number;
  worstAllocationOverFile: number;
}

const tally: Tally = { files: 0, profiles: 0, codes: new Map(), examples: new Map(), worstMilliseconds: 0, largestAllocation: 0, worstAllocationOverFile: -Infinity };

/** The property: a valid profile (it re-encodes and reads back the same) or a ProfileError; bounded time and allocation. */
function checkOne(bytes: Uint8Array): boolean {
  const start = performance.now();
  const { result, error, record } = meterAllocations(() => decodeProfile(bytes));
  const elapsed = performance.now() - start;
  tally.files++;
  tally.worstMilliseconds = Math.max(tally.worstMilliseconds, elapsed);
  tally.largestAllocation = Math.max(tally.largestAllocation, record.totalBytes);
  tally.worstAllocationOverFile = Math.max(tally.worstAllocationOverFile, record.totalBytes - bytes.length);
  if (error !== undefined) {
    if (!(error instanceof ProfileError)) throw error; // fast-check reports the file that did it
    tally.codes.set(error.code, (tally.codes.get(error.code) ?? 0) + 1);
    if (!tally.examples.has(error.code)) tally.examples.set(error.code, error.message);
  } else {
    tally.profiles++;
    const profile = result as AdaptationProfile;
    expect(plain(decodeProfile(encodeProfile(profile)))).toEqual(plain(profile));
  }
  expect(elapsed).toBeLessThan(MAX_MILLISECONDS_PER_FILE);
  expect(record.totalBytes).toBeLessThanOrEqual(bytes.length + ALLOCATION_SLACK_BYTES);
  return true;
}

describe(`hostile profile files (${Object.values(RUNS).reduce((a, b) => a + b, 0)} on ${runtimeName()}): ProfileError or a valid profile, bounded time, allocation and heap`, () => {
  it('every damaged, truncated, resealed, edited or random file', async () => {
    // Warm up the decoder and the CRC table, so the heap reading is not the module's first-use state.
    for (const bytes of SEEDS) decodeProfile(bytes);
    // The meter sees the decoder's copies (so its zero for a refused file means something).
    expect(meterAllocations(() => decodeProfile(SEEDS[3])).record.totalBytes).toBeGreaterThan(1000);
    const heapBefore = collectGarbage === null ? null : await liveHeapBytes();
    const start = performance.now();

    fc.assert(fc.property(damagedBytes, (input) => checkOne(damage(input))), { numRuns: RUNS.bytes, seed: SEED });
    const afterBytes = new Map(tally.codes);
    // With the checksum recomputed, the damage reaches every check behind it.
    fc.assert(fc.property(damagedBytes, (input) => checkOne(reseal(damage(input)))), { numRuns: RUNS.resealed, seed: SEED + 1 });
    fc.assert(
      fc.property(fc.nat({ max: SEEDS.length - 1 }), fc.array(documentEdit, { minLength: 1, maxLength: 3 }), (seed, edits) => checkOne(editDocument(seed, edits))),
      { numRuns: RUNS.documents, seed: SEED + 2 },
    );
    const magic = Uint8Array.from([0x8b, 0xa6, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74]);
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ minLength: 0, maxLength: 300 }), (withMagic, random) => checkOne(withMagic ? concat(magic, random) : random)),
      { numRuns: RUNS.random, seed: SEED + 3 },
    );
    // Hand-made: each hostile header right after the magic, padded so the declared length cannot be met.
    for (const header of HOSTILE_HEADERS) checkOne(concat(magic, Uint8Array.from(header), new Uint8Array(32)));

    const elapsed = performance.now() - start;
    const heapAfter = collectGarbage === null ? null : await liveHeapBytes();
    const codes = [...tally.codes.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ');
    console.log(
      `profile fuzz on ${runtimeName()} (seed ${SEED}): ${tally.files} files in ${(elapsed / 1000).toFixed(1)} s, ${tally.profiles} still valid profiles; ` +
        `typed errors: ${codes}; slowest ${tally.worstMilliseconds.toFixed(1)} ms; typed arrays allocated: at most ${tally.largestAllocation} B for one file, never more than its length + ${tally.worstAllocationOverFile} B; ` +
        `heap growth ${heapBefore === null || heapAfter === null ? 'not measured (no gc() on this runtime)' : `${((heapAfter - heapBefore) / 2 ** 20).toFixed(2)} MiB`}\n` +
        [...tally.examples].map(([code, message]) => `  e.g. ${code}: ${message}`).join('\n'),
    );

    expect(tally.files).toBe(Object.values(RUNS).reduce((a, b) => a + b, 0) + HOSTILE_HEADERS.length);
    expect(elapsed).toBeLessThan(MAX_TOTAL_MILLISECONDS);
    if (heapBefore !== null && heapAfter !== null) expect(heapAfter - heapBefore).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    // The raw mutations mostly hit the checksum; the resealed and edited files must reach the checks behind it.
    expect(afterBytes.has('CHECKSUM_MISMATCH')).toBe(true);
    for (const code of ['TRUNCATED', 'LIMIT_EXCEEDED', 'INVALID_FIELD', 'PROFILE_INVALID', 'PROFILE_NOT_FINITE', 'EXTENSION_TYPE', 'NOT_MSGPACK', 'WRONG_FORMAT']) {
      expect(tally.codes.has(code), `no file was refused with ${code}`).toBe(true);
    }
  });
});
