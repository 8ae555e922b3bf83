import { afterEach, describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, setKernelBackend } from '../../src/index.ts';
import { measureStepAllocation } from '../helpers/allocation-probe.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only, like zero-allocation.test.ts: it needs V8's gc() and 'gc'
// performance entries. A session of a stack whose layers differ in kind and
// size (LSTM 67 → GRU 41 → RNN 23) steps with no heap growth and no garbage
// collection on both kernels, f32 and q8.
describe.skipIf(!onNode)('a mixed-stack session allocates nothing per step', () => {
  afterEach(() => setKernelBackend('auto'));

  it.each([
    ['wasm', 'f32', 40_000],
    ['wasm', 'q8', 30_000],
    ['typescript', 'f32', 8_000],
  ] as const)('%s kernels, %s weights: %i steps with < 64 KB heap growth and no GC', async (backend, dtype, steps) => {
    const f32 = createRandomModel(
      {
        cell: 'lstm', input: 'embedding', vocabSize: 500, inputSize: 61, hiddenSize: 67, numLayers: 3, head: 'softmax', outputSize: 500,
        layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'hard-sigmoid', cell: 'gru', hiddenSize: 41 }, { gateActivation: 'sigmoid', cell: 'rnn-tanh', hiddenSize: 23 }],
      },
      { seed: 8 },
    );
    const model = dtype === 'f32' ? f32 : decodeModel(encodeModel(f32, { dtype }));
    setKernelBackend(backend);
    const reading = await measureStepAllocation(model.session(), steps, 500);
    console.log(`zero-allocation, mixed stack ${backend} ${dtype}: heap growth ${reading.heapGrowth} bytes over ${steps} steps, ${reading.garbageCollections} garbage collections`);
    expect(Number.isFinite(reading.checksum)).toBe(true);
    expect(reading.heapGrowth).toBeLessThan(64 * 1024);
    expect(reading.garbageCollections).toBe(0);
  });
});
