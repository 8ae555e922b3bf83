import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createRandomModel, type Prediction } from '../../src/index.ts';
import { onNode } from '../helpers/runtime.ts';

// predictNext allocates its k results (k objects and their array) and nothing
// that grows with the vocabulary: no softmax array, no copy of the logits.
// Node only (V8's gc()). Measured without collecting: 2,000 calls after warm-up.
describe.skipIf(!onNode)('predictNext allocates only its k results', () => {
  const V = 4000;
  const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 64, hiddenSize: 64, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 5 });

  for (const [name, discard] of [['from the step', false], ['recomputed from h', true]] as const) {
    it(`step + predictNext(5), ${name}: < 1,024 bytes a call (5 results: about 500) (a V-sized array would be ${4 * V})`, () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const session = model.session();
      let kept: Prediction[] = [];
      const run = (n: number): number => {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          session.step(i % V);
          if (discard) session.discardOutput();
          kept = session.predictNext(5);
          sum += kept[0].probability;
        }
        return sum;
      };
      for (let i = 0; i < 20; i++) run(200); // warm-up: optimized code
      const calls = 2000;
      let best = Infinity;
      for (let attempt = 0; attempt < 3; attempt++) {
        gc();
        gc();
        const before = process.memoryUsage().heapUsed;
        const sum = run(calls);
        const growth = process.memoryUsage().heapUsed - before;
        expect(Number.isFinite(sum)).toBe(true);
        best = Math.min(best, growth / calls);
      }
      console.log(`predictNext (${name}): ${best.toFixed(0)} bytes a call`);
      expect(best).toBeLessThan(1024);
      expect(kept.length).toBe(5);
    });
  }
});
