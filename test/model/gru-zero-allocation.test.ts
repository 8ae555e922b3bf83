import { afterEach, describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, setKernelBackend, setQ8KernelMode } from '../../src/index.ts';
import { GruLayerKernel } from '../../src/math/wasm/gru-layer-kernel.ts';
import { stepKernelsFor } from '../../src/model/step-kernels.ts';
import { measureStepAllocation } from '../helpers/allocation-probe.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only, like zero-allocation.test.ts: it needs V8's gc() and 'gc'
// performance entries. A GRU session steps with no heap growth and no
// garbage collection, both variants, on every kernel and storage type.
describe.skipIf(!onNode)('a GRU session allocates nothing per step', () => {
  afterEach(() => {
    setKernelBackend('auto');
    setQ8KernelMode('integer');
  });

  // The TypeScript kernels are ten times slower: fewer steps keep the suite fast.
  it.each([
    ['gru', 'wasm', 'f32', 'integer', 50_000],
    ['gru-reset-before', 'wasm', 'f32', 'integer', 50_000],
    ['gru', 'wasm', 'q8', 'integer', 30_000],
    ['gru-reset-before', 'wasm', 'q8', 'float', 30_000],
    ['gru', 'wasm', 'q4', 'integer', 30_000],
    ['gru-reset-before', 'wasm', 'q4', 'float', 30_000],
    ['gru', 'typescript', 'f32', 'integer', 10_000],
    ['gru-reset-before', 'typescript', 'f32', 'integer', 10_000],
    ['gru-reset-before', 'typescript', 'q4', 'integer', 5_000],
  ] as const)('%s on %s kernels, %s weights (%s): %i steps with < 64 KB heap growth and no GC', async (cell, backend, dtype, mode, steps) => {
    // The 4-bit GRU kernel needs each layer's input size a multiple of its blocks of 32 (else that layer steps in TypeScript).
    const [inputSize, hiddenSize] = dtype === 'q4' && backend === 'wasm' ? [64, 96] : [61, 67];
    const f32 = createRandomModel({ cell, input: 'embedding', vocabSize: 500, inputSize, hiddenSize, numLayers: 2, head: 'softmax', outputSize: 500 }, { seed: 8 });
    const model = dtype === 'f32' ? f32 : decodeModel(encodeModel(f32, { dtype }));
    setKernelBackend(backend);
    setQ8KernelMode(mode);
    if (backend === 'wasm') expect(stepKernelsFor(model).layers.every((kernel) => kernel instanceof GruLayerKernel)).toBe(true);
    const reading = await measureStepAllocation(model.session(), steps, 500);
    console.log(`zero-allocation, ${cell} ${backend} ${dtype}: heap growth ${reading.heapGrowth} bytes over ${steps} steps, ${reading.garbageCollections} garbage collections`);
    expect(Number.isFinite(reading.checksum)).toBe(true);
    expect(reading.heapGrowth).toBeLessThan(64 * 1024);
    expect(reading.garbageCollections).toBe(0);
  });
});
