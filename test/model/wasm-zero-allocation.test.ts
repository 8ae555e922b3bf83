import { afterEach, describe, expect, it } from 'vitest';
import { createCell, createRandomModel, Model, Q8Matrix, setKernelBackend, setQ8KernelMode } from '../../src/index.ts';
import { measureStepAllocation } from '../helpers/allocation-probe.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only: it needs V8's gc() and 'gc' performance entries. The default
// (WebAssembly) f32 path is covered by zero-allocation.test.ts; this covers
// the int8 kernels in both modes and the TypeScript fallback, with a shorter run.
describe.skipIf(!onNode)('Session.step allocates nothing on every kernel', () => {
  afterEach(() => {
    setKernelBackend('auto');
    setQ8KernelMode('integer');
  });

  // The TypeScript kernels are ten times slower: fewer steps keep the suite fast.
  it.each([
    ['wasm', 'q8', 'integer', 50_000],
    ['wasm', 'q8', 'float', 50_000],
    ['typescript', 'f32', 'integer', 10_000],
  ] as const)('%s kernels, %s weights (%s): %i steps with < 64 KB heap growth and no GC', async (backend, dtype, mode, steps) => {
    const f32 = createRandomModel(
      { cell: 'lstm', input: 'embedding', vocabSize: 500, inputSize: 64, hiddenSize: 64, numLayers: 2, head: 'softmax', outputSize: 500 },
      { seed: 8 },
    );
    const model =
      dtype === 'q8'
        ? new Model({
            embedding: f32.embedding,
            layers: f32.layers.map((l) => createCell(l.kind, l.inputSize, l.hiddenSize, Q8Matrix.fromFloat32(l.weight.rows, l.weight.cols, l.weight.toFloat32()), l.bias)),
            head: { kind: 'softmax', weight: Q8Matrix.fromFloat32(500, 64, f32.head!.weight.toFloat32()), bias: f32.head!.bias },
          })
        : f32;
    setKernelBackend(backend);
    setQ8KernelMode(mode);
    const reading = await measureStepAllocation(model.session(), steps, 500);
    expect(Number.isFinite(reading.checksum)).toBe(true);
    expect(reading.heapGrowth).toBeLessThan(64 * 1024);
    expect(reading.garbageCollections).toBe(0);
  });
});
