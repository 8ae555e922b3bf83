import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createRandomModel, type Session } from '../../src/index.ts';
import { onNode } from '../helpers/runtime.ts';

// Node only: it needs V8's gc() and 'gc' performance entries, which Deno and
// Bun do not provide the same way.
describe.skipIf(!onNode)('Session.step allocates nothing', () => {
  it('steps an LSTM language model (hidden 128, vocab 1,000) 200,000 times with < 64 KB heap growth and no GC', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const model = createRandomModel(
      { cell: 'lstm', input: 'embedding', vocabSize: 1000, inputSize: 128, hiddenSize: 128, numLayers: 1, head: 'softmax', outputSize: 1000 },
      { seed: 3 },
    );
    const session = model.session();
    // Warm up through many short calls of the same loop, so that `run` itself
    // (not only an on-stack-replacement of it) is optimized before measuring:
    // compiled code lives on the heap and would otherwise count as growth.
    let warmUp = 0;
    for (let call = 0; call < 30; call++) warmUp += run(session, 1000, call);
    let gcCount = 0;
    const observer = new PerformanceObserver((list) => {
      gcCount += list.getEntries().length;
    });
    observer.observe({ entryTypes: ['gc'] });
    gc();
    gc();
    // Let the observer deliver the entries of the forced collections first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    gcCount = 0;
    const before = process.memoryUsage().heapUsed;
    const checksum = run(session, 200_000, 2);
    const after = process.memoryUsage().heapUsed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    console.log(`zero-allocation: heap growth ${after - before} bytes over 200,000 steps, ${gcCount} garbage collections`);
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
    token = (token * 167 + 13) % 1000;
  }
  return checksum;
}
