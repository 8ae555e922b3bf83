import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandomModel } from '../../src/model/random-model.ts';
import { InteropError } from '../../src/interop/errors.ts';
import type { InteropLimits } from '../../src/interop/limits.ts';
import { encodeOnnx } from '../../src/interop/onnx/encode-onnx.ts';
import { exportOnnx, toOnnxModel } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { importSafetensors } from '../../src/interop/safetensors/import-safetensors.ts';
import { exportSafetensors } from '../../src/interop/safetensors/write-safetensors.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { meterAllocations, type AllocationRecord } from './allocation-meter.ts';

// Must-show 3: mutated and truncated safetensors and ONNX files give typed
// errors (InteropError) or a valid model, never another exception, a hang,
// or an allocation beyond the configured limit. 5,000 files per format on
// Node; 500 under Deno and Bun, where this suite only re-checks the same
// properties (the heavy run is Node's, to keep the three-runtime test short).
// The seeds include GRU models (ONNX GRU nodes of both linear_before_reset
// values; nn.GRU names in safetensors).
const RUNS = runtimeName() === 'node' ? 5_000 : 500;
const SEED = Number(process.env.INTEROP_FUZZ_SEED ?? 20261127);
// Small limits, so the limit checks are what stops a file that declares big tensors.
const LIMITS: InteropLimits = { maxAllocationBytes: 256 * 1024, maxTensorElements: 32 * 1024, maxHeaderBytes: 64 * 1024 };
// A model built from the decoded weights copies them once or twice more (fused
// matrices, the f64 bias sum), so the whole import may allocate a small
// multiple of the reader's limit; one allocation never more than the limit.
const TOTAL_FACTOR = 4;
// A linear-time reader on files of a few KiB finishes in milliseconds; this catches a hang or a super-linear path.
const MAX_MILLISECONDS_PER_FILE = 2_000;

const architectureLm = { cell: 'lstm', input: 'embedding', vocabSize: 20, inputSize: 6, hiddenSize: 8, numLayers: 2, head: 'softmax', outputSize: 20 } as const;
const architectureDense = { cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 5, numLayers: 2, head: 'linear', outputSize: 2 } as const;
// GRU seeds: 3H-row weights and a [6H] bias ([Wb | Rb] in ONNX, bias_ih and bias_hh in safetensors), both variants.
const architectureGru = { cell: 'gru', input: 'embedding', vocabSize: 12, inputSize: 4, hiddenSize: 5, numLayers: 2, head: 'softmax', outputSize: 12 } as const;
const architectureGruDense = { cell: 'gru-reset-before', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 2, head: 'linear', outputSize: 2 } as const;

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/torch/${name}`, import.meta.url)));
}

// One seed of each kind carries a vocabulary, tokenizer and metadata, so their JSON is mutated too.
const extras = { vocabulary: Array.from({ length: 20 }, (_, i) => `w${i}`), tokenizer: { kind: 'word' as const, unknownToken: 'w0' }, metadata: { corpus: 'toy' } };
const SAFETENSORS_SEEDS = [
  fixture('lm_lstm.safetensors'),
  exportSafetensors(createRandomModel(architectureLm, { seed: 2, extras }), { dtype: 'F16' }),
  exportSafetensors(createRandomModel(architectureDense, { seed: 3 }), { dtype: 'BF16' }),
  exportSafetensors(createRandomModel(architectureGru, { seed: 6 })),
];
const ONNX_SEEDS = [
  fixture('lstm_stack.onnx'),
  exportOnnx(createRandomModel(architectureLm, { seed: 4, extras })),
  exportOnnx(createRandomModel(architectureDense, { seed: 5 })),
  exportOnnx(createRandomModel(architectureGru, { seed: 7 })),
  exportOnnx(createRandomModel(architectureGruDense, { seed: 8 })),
];

/** One edit of a file. Positions are fractions of the length, so one arbitrary fits every seed. */
type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'varint'; at: number; value: bigint }
  | { kind: 'header-number'; which: number; value: bigint };

// Uniform over the file (fast-check's doubles and integers favour values near 0, which would pile every edit onto the first bytes).
const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('overwrite' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  // Declared sizes are where a reader is tempted to allocate: lengths, dims, offsets.
  fc.record({ kind: fc.constant('varint' as const), at: position, value: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 1000n })) }),
  fc.record({ kind: fc.constant('header-number' as const), which: fc.nat(), value: fc.oneof(fc.bigInt({ min: -5n, max: 2n ** 64n }), fc.bigInt({ min: 0n, max: 100_000n })) }),
);

function applyMutation(bytes: Uint8Array, m: Mutation, safetensors: boolean): Uint8Array {
  const at = m.kind === 'header-number' ? 0 : Math.floor(m.at * bytes.length);
  switch (m.kind) {
    case 'truncate':
      return bytes.slice(0, at);
    case 'overwrite': {
      const out = bytes.slice();
      out.set(m.bytes.subarray(0, Math.max(0, out.length - at)), at);
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + m.length));
    case 'varint':
      return concat(bytes.subarray(0, at), varint(m.value), bytes.subarray(Math.min(bytes.length, at + varint(m.value).length)));
    case 'header-number':
      return safetensors ? replaceHeaderNumber(bytes, m.which, m.value) : bytes;
  }
}

/** Replaces the which-th number in a safetensors JSON header and fixes the header length, so the JSON stays valid. */
function replaceHeaderNumber(bytes: Uint8Array, which: number, value: bigint): Uint8Array {
  if (bytes.length < 8) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  if (view.getUint32(4, true) !== 0 || 8 + length > bytes.length) return bytes;
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const numbers = [...header.matchAll(/-?\d+/g)];
  if (numbers.length === 0) return bytes;
  const target = numbers[which % numbers.length];
  const edited = header.slice(0, target.index) + value.toString() + header.slice((target.index ?? 0) + target[0].length);
  const json = new TextEncoder().encode(edited);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setUint32(0, json.length, true);
  return concat(prefix, json, bytes.subarray(8 + length));
}

function varint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Uint8Array.from(out);
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

interface Tally {
  files: number;
  models: number;
  codes: Map<string, number>;
  /** The first message seen for each code, to show what the errors say. */
  examples: Map<string, string>;
  worstMilliseconds: number;
  largestBytes: number;
  largestTotalBytes: number;
}

function checkOne(read: (bytes: Uint8Array) => unknown, bytes: Uint8Array, tally: Tally): void {
  const start = performance.now();
  const { error, record } = meterAllocations(() => read(bytes));
  const elapsed = performance.now() - start;
  tally.files++;
  tally.worstMilliseconds = Math.max(tally.worstMilliseconds, elapsed);
  tally.largestBytes = Math.max(tally.largestBytes, record.largestBytes);
  tally.largestTotalBytes = Math.max(tally.largestTotalBytes, record.totalBytes);
  if (error === undefined) tally.models++;
  else {
    if (!(error instanceof InteropError)) throw error; // fast-check reports the file that did it
    tally.codes.set(error.code, (tally.codes.get(error.code) ?? 0) + 1);
    if (!tally.examples.has(error.code)) tally.examples.set(error.code, error.message);
  }
  expect(elapsed).toBeLessThan(MAX_MILLISECONDS_PER_FILE);
  checkAllocation(record);
}

function checkAllocation(record: AllocationRecord): void {
  const limit = LIMITS.maxAllocationBytes as number;
  expect(record.largestBytes).toBeLessThanOrEqual(limit);
  expect(record.totalBytes).toBeLessThanOrEqual(TOTAL_FACTOR * limit);
}

function runProperty(name: string, seeds: Uint8Array[], read: (bytes: Uint8Array) => unknown, safetensors: boolean): Tally {
  const tally: Tally = { files: 0, models: 0, codes: new Map(), examples: new Map(), worstMilliseconds: 0, largestBytes: 0, largestTotalBytes: 0 };
  fc.assert(
    fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seedIndex, mutations) => {
      let bytes = seeds[seedIndex];
      for (const m of mutations) bytes = applyMutation(bytes, m, safetensors);
      checkOne(read, bytes, tally);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const codes = [...tally.codes.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ');
  console.log(
    `${name}: ${tally.files} mutated files on ${runtimeName()} (seed ${SEED}): ${tally.models} still valid models; typed errors: ${codes}; ` +
      `slowest ${tally.worstMilliseconds.toFixed(1)} ms; largest allocation ${tally.largestBytes} B, largest total ${tally.largestTotalBytes} B (limit ${LIMITS.maxAllocationBytes} B)\n` +
      [...tally.examples].map(([code, message]) => `  e.g. ${code}: ${message}`).join('\n'),
  );
  return tally;
}

describe('hostile files: typed errors only, bounded time and allocation', () => {
  it(`safetensors: ${RUNS} mutated and truncated files`, () => {
    const tally = runProperty('safetensors', SAFETENSORS_SEEDS, (bytes) => importSafetensors(bytes, LIMITS), true);
    expect(tally.files).toBe(RUNS);
    // The mutations reach past the first check: several distinct failure kinds show up.
    expect(tally.codes.size).toBeGreaterThanOrEqual(4);
  });

  it(`ONNX: ${RUNS} mutated and truncated files`, () => {
    const tally = runProperty('ONNX', ONNX_SEEDS, (bytes) => importOnnx(bytes, LIMITS), false);
    expect(tally.files).toBe(RUNS);
    expect(tally.codes.size).toBeGreaterThanOrEqual(4);
  });

  it('a file that declares a huge tensor is refused before anything of that size is allocated', () => {
    const model = createRandomModel(architectureDense, { seed: 1 });
    // ONNX: the first layer's W declares dims [1, 2^20, 2^20] over its few real bytes.
    const onnx = toOnnxModel(model);
    const w = onnx.graph.initializers.find((t) => t.name === 'layers.0.W')!;
    w.dims = [1, 2 ** 20, 2 ** 20];
    // safetensors: a tensor declares shape [2^20, 2^20] (data_offsets then disagree with the shape).
    const safetensors = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [0, 16] } }));
    const file = new Uint8Array(8 + safetensors.length + 16);
    new DataView(file.buffer).setUint32(0, safetensors.length, true);
    file.set(safetensors, 8);
    const cases = [
      { read: () => importOnnx(encodeOnnx(onnx), LIMITS), code: 'LIMIT_EXCEEDED' },
      { read: () => importSafetensors(file, LIMITS), code: 'SAFETENSORS_INVALID' },
    ];
    for (const { read, code } of cases) {
      const { error, record } = meterAllocations(read);
      expect(error).toBeInstanceOf(InteropError);
      expect((error as InteropError).code).toBe(code);
      expect(record.largestBytes).toBeLessThan(64 * 1024);
    }
  });

  it('the allocation meter sees allocations (so the checks above can fail)', () => {
    const { record } = meterAllocations(() => new Float32Array(1000));
    expect(record.largestBytes).toBe(4000);
  });
});
