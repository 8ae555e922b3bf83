import { describe, expect, it } from 'vitest';
import { createRandomModel, Model, type Session } from '../../src/index.ts';
import { measureStepAllocation } from '../helpers/allocation-probe.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only: it needs V8's gc() and 'gc' performance entries, which Deno and
// Bun do not provide the same way.
describe.skipIf(!onNode)('Session.step allocates nothing', () => {
  it('steps an LSTM language model (hidden 128, vocab 1,000) 200,000 times with < 64 KB heap growth and no GC', async () => {
    const model = createRandomModel(
      { cell: 'lstm', input: 'embedding', vocabSize: 1000, inputSize: 128, hiddenSize: 128, numLayers: 1, head: 'softmax', outputSize: 1000 },
      { seed: 3 },
    );
    const reading = await measureStepAllocation(model.session(), 200_000, 1000);
    console.log(`zero-allocation: heap growth ${reading.heapGrowth} bytes over 200,000 steps, ${reading.garbageCollections} garbage collections`);
    expect(Number.isFinite(reading.checksum)).toBe(true);
    expect(reading.heapGrowth).toBeLessThan(64 * 1024);
    expect(reading.garbageCollections).toBe(0);
  });

  it('the probe can fail: a stand-in session that allocates two floats a step is caught', async () => {
    const kept: Float32Array[] = [];
    const allocating = {
      step(token: number): Float32Array {
        const out = new Float32Array(2);
        out[0] = token;
        // Keep every 64th so escape analysis cannot remove the allocation.
        if ((token & 63) === 0) kept.push(out);
        return out;
      },
    } as unknown as Session;
    const reading = await measureStepAllocation(allocating, 100_000, 1000);
    expect(reading.heapGrowth > 64 * 1024 || reading.garbageCollections > 0).toBe(true);
    expect(kept.length).toBeGreaterThan(0);
  });

  it('steps a model with a factorized output (metadata.outputClasses) 100,000 times with < 64 KB heap growth and no GC', async () => {
    const V = 1000;
    const C = 30;
    const H = 64;
    const base = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: H, hiddenSize: H, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 4 });
    const outputClasses = {
      classCount: C,
      classOf: Array.from({ length: V }, (_, w) => w % C),
      weight: Array.from({ length: C }, (_, c) => Array.from({ length: H }, (_, j) => Math.sin(c + j) * 0.1)),
      bias: Array.from({ length: C }, () => 0),
    };
    const model = new Model({ embedding: base.embedding, layers: base.layers, head: base.head, metadata: { outputClasses } });
    const reading = await measureStepAllocation(model.session(), 100_000, V);
    console.log(`zero-allocation (output classes): heap growth ${reading.heapGrowth} bytes over 100,000 steps, ${reading.garbageCollections} garbage collections`);
    expect(Number.isFinite(reading.checksum)).toBe(true);
    expect(reading.heapGrowth).toBeLessThan(64 * 1024);
    expect(reading.garbageCollections).toBe(0);
  });
});
