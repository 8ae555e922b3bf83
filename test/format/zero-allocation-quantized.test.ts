import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, Q4Matrix, Q8Matrix, type Session } from '../../src/index.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only, like test/model/zero-allocation.test.ts: it needs V8's gc() and
// 'gc' performance entries, which Deno and Bun do not provide the same way.
// A q8 or q4 model loaded from a file computes from its integer weights with
// no allocation per step: no heap growth and no garbage collection.
describe.skipIf(!onNode)('quantized models allocate nothing per step', () => {
  const architecture = { cell: 'lstm', input: 'embedding', vocabSize: 300, inputSize: 32, hiddenSize: 32, numLayers: 2, head: 'softmax', outputSize: 300 } as const;

  it.each(['q8', 'q4'] as const)('a %s model loaded from a file: 30,000 steps, < 64 KB heap growth, no GC', async (dtype) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const model = decodeModel(encodeModel(createRandomModel(architecture, { seed: 5 }), { dtype }));
    expect(model.head!.weight).toBeInstanceOf(dtype === 'q8' ? Q8Matrix : Q4Matrix);
    const session = model.session();
    // Warm up through many short calls, so every kernel reaches its final
    // optimized tier before measuring (compiled code is heap-allocated too).
    let warmUp = 0;
    for (let call = 0; call < 30; call++) warmUp += run(session, 1000, call);
    let gcCount = 0;
    const observer = new PerformanceObserver((list) => {
      gcCount += list.getEntries().length;
    });
    observer.observe({ entryTypes: ['gc'] });
    gc();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gcCount = 0;
    const before = process.memoryUsage().heapUsed;
    const checksum = run(session, 30_000, 2);
    const after = process.memoryUsage().heapUsed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    expect(Number.isFinite(warmUp) && Number.isFinite(checksum)).toBe(true);
    expect(after - before).toBeLessThan(64 * 1024);
    expect(gcCount).toBe(0);
  });
});

// Running totals stay in locals: a module-level number would be boxed on every store.
function run(session: Session, steps: number, seed: number): number {
  let token = seed;
  let checksum = 0;
  for (let i = 0; i < steps; i++) {
    const logits = session.step(token);
    checksum += logits[token];
    token = (token * 167 + 13) % 300;
  }
  return checksum;
}
