import { describe, expect, it } from 'vitest';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { createRandomModel, createStream, type Model } from '../../src/index.ts';
import { measureStepAllocation } from '../helpers/allocation-probe.ts';
import { onNode } from '../helpers/runtime.ts';

const V = 24;
const vocabulary = ['<unk>', '<p>', 'the', 'said', '.', ...Array.from({ length: V - 5 }, (_, i) => `w${i}`)];

function languageModel(): Model {
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 8, hiddenSize: 8, numLayers: 1, head: 'softmax', outputSize: V },
    { seed: 7, extras: { vocabulary, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

describe('streams over an adaptive session', () => {
  it('push text: each result is the adaptive step (the mixture) and `top` holds its predictions, with new words and without <unk>', async () => {
    const model = languageModel();
    const text = 'the Vellor said w1 . the Vellor said w2 . the Vellor said';
    const reference = new AdaptiveSession(model, { cache: { size: 20, theta: 0, lambda: 0.6 } });
    const expectedOutputs: number[][] = [];
    const expectedTops: string[][] = [];
    for (const word of text.split(' ')) {
      expectedOutputs.push(Array.from(reference.readText(word)!));
      expectedTops.push(reference.predictNext(V).map((p) => p.token!));
    }
    const stream = createStream(new AdaptiveSession(model, { cache: { size: 20, theta: 0, lambda: 0.6 } }), { top: V });
    await stream.push(text);
    stream.end();
    let i = 0;
    for await (const result of stream) {
      expect(Array.from(result.output)).toEqual(expectedOutputs[i]);
      expect(result.top!.map((p) => p.token)).toEqual(expectedTops[i]);
      expect(result.top!.map((p) => p.token)).not.toContain('<unk>');
      i++;
    }
    expect(i).toBe(13);
    expect(expectedTops[12]).toContain('Vellor');
  });
});

// Node only: V8's gc() and 'gc' performance entries (as the other probes).
describe.skipIf(!onNode)('the cache allocates nothing per step in steady state', () => {
  for (const kind of ['continuous', 'unigram'] as const) {
    it(`${kind} cache: 50,000 adaptive steps with < 64 KB heap growth and no GC`, async () => {
      const model = createRandomModel(
        { cell: 'lstm', input: 'embedding', vocabSize: 1000, inputSize: 64, hiddenSize: 64, numLayers: 1, head: 'softmax', outputSize: 1000 },
        { seed: 3 },
      );
      const session = new AdaptiveSession(model, { cache: { kind, size: 200 } });
      const reading = await measureStepAllocation(session, 50_000, 1000);
      console.log(`adaptive ${kind} zero-allocation: heap growth ${reading.heapGrowth} bytes over 50,000 steps, ${reading.garbageCollections} GCs`);
      expect(Number.isFinite(reading.checksum)).toBe(true);
      expect(reading.heapGrowth).toBeLessThan(64 * 1024);
      expect(reading.garbageCollections).toBe(0);
    });
  }
});
