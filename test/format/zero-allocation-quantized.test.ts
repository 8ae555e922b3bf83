import { describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, Q4Matrix, Q8Matrix } from '../../src/index.ts';
import { measureStepAllocation } from '../helpers/allocation-probe.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only, like test/model/zero-allocation.test.ts: it needs V8's gc() and
// 'gc' performance entries, which Deno and Bun do not provide the same way.
// A q8 or q4 model loaded from a file computes from its integer weights with
// no allocation per step: no heap growth and no garbage collection.
describe.skipIf(!onNode)('quantized models allocate nothing per step', () => {
  const architecture = { cell: 'lstm', input: 'embedding', vocabSize: 300, inputSize: 32, hiddenSize: 32, numLayers: 2, head: 'softmax', outputSize: 300 } as const;

  it.each(['q8', 'q4'] as const)('a %s model loaded from a file: 30,000 steps, < 64 KB heap growth, no GC', async (dtype) => {
    const model = decodeModel(encodeModel(createRandomModel(architecture, { seed: 5 }), { dtype }));
    expect(model.head!.weight).toBeInstanceOf(dtype === 'q8' ? Q8Matrix : Q4Matrix);
    const reading = await measureStepAllocation(model.session(), 30_000, 300);
    expect(Number.isFinite(reading.checksum)).toBe(true);
    expect(reading.heapGrowth).toBeLessThan(64 * 1024);
    expect(reading.garbageCollections).toBe(0);
  });
});
