import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InteropError } from '../../src/interop/errors.ts';
import type { InteropLimits } from '../../src/interop/limits.ts';
import { importTfjsLayers } from '../../src/interop/tfjs/import-tfjs.ts';
import { Model } from '../../src/model/model.ts';
import { kerasModelFiles, type KerasFiles } from '../helpers/keras-model-json.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { meterAllocations } from './allocation-meter.ts';

// Issue 16, must-show 3 (the TensorFlow.js half): damaged and hostile
// model.json / shard pairs give a model or an InteropError, never another
// exception, a hang, or an allocation past the limits — the same properties
// as hostile-files.test.ts checks for safetensors and ONNX, with the typed
// arrays metered from outside the reader. 5,000 pairs on Node, 500 under Deno
// and Bun. The seeds are hand-written Keras model.json files (no TensorFlow.js
// needed): an LSTM language model, a GRU reset_after true stack, a GRU
// reset_after false stack with hard-sigmoid gates, a SimpleRNN relu stack.
const RUNS = runtimeName() === 'node' ? 5_000 : 500;
const SEED = Number(process.env.INTEROP_FUZZ_SEED ?? 20261205);
const LIMITS: InteropLimits = { maxAllocationBytes: 256 * 1024, maxTensorElements: 32 * 1024, maxJsonBytes: 64 * 1024, maxShards: 16 };
// Building the model copies the read weights a few times more (transposed, fused, the f64 bias sum).
const TOTAL_FACTOR = 4;
const MAX_MILLISECONDS_PER_PAIR = 2_000;

const SEEDS: KerasFiles[] = [
  kerasModelFiles({ embedding: { vocabSize: 20, size: 6 }, recurrent: [{ className: 'LSTM', units: 8 }, { className: 'LSTM', units: 8 }], dense: { units: 20, activation: 'softmax' } }, 1),
  kerasModelFiles({ inputSize: 3, recurrent: [{ className: 'GRU', units: 5 }, { className: 'GRU', units: 5 }], dense: { units: 2, activation: 'linear' } }, 2),
  kerasModelFiles({ inputSize: 4, recurrent: [{ className: 'GRU', units: 6, resetAfter: false, recurrentActivation: 'hard_sigmoid' }] }, 3),
  kerasModelFiles({ inputSize: 2, recurrent: [{ className: 'SimpleRNN', units: 4, activation: 'relu' }, { className: 'SimpleRNN', units: 4, activation: 'relu' }], dense: { units: 1, activation: 'linear' } }, 4),
];

type Edit =
  | { kind: 'json-truncate'; at: number }
  | { kind: 'json-overwrite'; at: number; text: string }
  | { kind: 'json-delete'; at: number; length: number }
  | { kind: 'json-number'; which: number; value: number }
  | { kind: 'shard-truncate'; at: number }
  | { kind: 'shard-overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'shard-insert'; at: number; bytes: Uint8Array }
  | { kind: 'shard-split'; at: number };

const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
// Numbers in model.json are where sizes live: shapes, units, input_dim.
const number = fc.oneof(fc.integer({ min: -3, max: 100 }), fc.constantFrom(0.5, 2 ** 31, 2 ** 53, 1e300, 65_536, 4_096), fc.integer({ min: 0, max: 100_000 }));
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('json-truncate' as const), at: position }),
  fc.record({ kind: fc.constant('json-overwrite' as const), at: position, text: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('json-delete' as const), at: position, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('json-number' as const), which: fc.nat(), value: number }),
  fc.record({ kind: fc.constant('shard-truncate' as const), at: position }),
  fc.record({ kind: fc.constant('shard-overwrite' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('shard-insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('shard-split' as const), at: position }),
);

function applyEdit(files: KerasFiles, e: Edit): { json: string; shards: Uint8Array[] } {
  const { json } = files;
  const shard = files.shards[0];
  const at = (length: number) => Math.floor(('at' in e ? e.at : 0) * length);
  switch (e.kind) {
    case 'json-truncate':
      return { json: json.slice(0, at(json.length)), shards: files.shards };
    case 'json-overwrite':
      return { json: json.slice(0, at(json.length)) + e.text + json.slice(at(json.length) + e.text.length), shards: files.shards };
    case 'json-delete':
      return { json: json.slice(0, at(json.length)) + json.slice(at(json.length) + e.length), shards: files.shards };
    case 'json-number': {
      const numbers = [...json.matchAll(/-?\d+(\.\d+)?/g)];
      const target = numbers[e.which % numbers.length];
      return { json: json.slice(0, target.index) + String(e.value) + json.slice((target.index ?? 0) + target[0].length), shards: files.shards };
    }
    case 'shard-truncate':
      return { json, shards: [shard.slice(0, at(shard.length))] };
    case 'shard-overwrite': {
      const out = shard.slice();
      out.set(e.bytes.subarray(0, Math.max(0, out.length - at(shard.length))), at(shard.length));
      return { json, shards: [out] };
    }
    case 'shard-insert': {
      const out = new Uint8Array(shard.length + e.bytes.length);
      out.set(shard.subarray(0, at(shard.length)));
      out.set(e.bytes, at(shard.length));
      out.set(shard.subarray(at(shard.length)), at(shard.length) + e.bytes.length);
      return { json, shards: [out] };
    }
    case 'shard-split':
      // Two shards where the manifest lists one.
      return { json, shards: [shard.slice(0, at(shard.length)), shard.slice(at(shard.length))] };
  }
}

describe('hostile TensorFlow.js model.json / shard pairs', () => {
  it('every seed imports unedited', () => {
    for (const seed of SEEDS) expect(importTfjsLayers(seed.json, seed.shards, LIMITS)).toBeInstanceOf(Model);
  });

  it(`${RUNS} edited pairs: a model or an InteropError, bounded time and allocation`, () => {
    const tally = { models: 0, errors: new Map<string, number>() };
    fc.assert(
      fc.property(fc.nat(SEEDS.length - 1), edit, (seedIndex, e) => {
        const { json, shards } = applyEdit(SEEDS[seedIndex], e);
        const started = performance.now();
        const { result, error, record } = meterAllocations(() => importTfjsLayers(json, shards, LIMITS));
        expect(performance.now() - started).toBeLessThan(MAX_MILLISECONDS_PER_PAIR);
        if (error !== undefined) {
          if (!(error instanceof InteropError)) throw error;
          tally.errors.set(error.code, (tally.errors.get(error.code) ?? 0) + 1);
        } else {
          expect(result).toBeInstanceOf(Model);
          tally.models++;
        }
        expect(record.largestBytes).toBeLessThanOrEqual(LIMITS.maxAllocationBytes!);
        expect(record.totalBytes).toBeLessThanOrEqual(TOTAL_FACTOR * LIMITS.maxAllocationBytes!);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`${runtimeName()}, TensorFlow.js hostile pairs: ${RUNS} (seed ${SEED}): ${tally.models} models, errors ${[...tally.errors].map(([code, n]) => `${code} ${n}`).join(', ')}`);
  }, 120_000);
});
