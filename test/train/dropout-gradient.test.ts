import { describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom } from '../../src/index.ts';
import { NetworkGraph, TrainableModel } from '../../src/train/index.ts';
import { centralDifference } from '../helpers/central-differences.ts';

// Dropout masks depend on the seed alone, so with the seed fixed the loss is a
// smooth function of the weights and central differences check the gradient
// through both dropout sites: the embedding output and the layers' outputs.
describe('dropout gradients', () => {
  it.each([
    { dropout: 0, inputDropout: 0.4 },
    { dropout: 0.3, inputDropout: 0.5 },
  ])('match finite differences with dropout $dropout, input dropout $inputDropout', ({ dropout, inputDropout }) => {
    const V = 6;
    const B = 2;
    const T = 5;
    const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 4, hiddenSize: 5, numLayers: 2, head: 'softmax', outputSize: V }, { seed: 11, embeddingScale: 0.5 });
    const random = new SeededRandom(4);
    const inputs = Int32Array.from({ length: T * B }, () => random.integer(V));
    const targets = Int32Array.from({ length: T * B }, () => random.integer(V));
    const trainable = new TrainableModel(model, {});
    const masks = { seed: 77, firstStream: 0 };
    const lossOf = (): number => {
      const graph = new NetworkGraph(trainable, { batchSize: B, window: T, dropout, inputDropout, kernel: 'typescript' });
      return graph.forward(inputs, targets, T, masks);
    };
    const graph = new NetworkGraph(trainable, { batchSize: B, window: T, dropout, inputDropout, kernel: 'typescript' });
    trainable.zeroGradients();
    const withMasks = graph.forward(inputs, targets, T, masks);
    const withoutMasks = graph.forward(inputs, targets, T, null);
    expect(withMasks).not.toBeCloseTo(withoutMasks, 3);
    graph.resetState();
    graph.forward(inputs, targets, T, masks);
    graph.backward();
    const eps = 1e-3;
    let worst = 0;
    let checked = 0;
    for (const slot of trainable.parameters) {
      const gradient = slot.gradient.slice();
      const order = Array.from(gradient.keys()).sort((x, y) => Math.abs(gradient[y]) - Math.abs(gradient[x]));
      for (const i of order.slice(0, 4)) {
        const numeric = centralDifference(slot.value, i, lossOf, eps);
        worst = Math.max(worst, Math.abs(numeric - gradient[i]) / Math.max(1e-2, Math.abs(numeric)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(16);
    expect(worst).toBeLessThan(2e-2);
  });

  it('input dropout zeroes embedding units: a zeroed unit gets no gradient from that row', () => {
    const V = 4;
    const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 64, hiddenSize: 3, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 2 });
    const trainable = new TrainableModel(model, {});
    const graph = new NetworkGraph(trainable, { batchSize: 1, window: 1, inputDropout: 0.5, kernel: 'typescript' });
    trainable.zeroGradients();
    graph.forward(Int32Array.of(2), Int32Array.of(1), 1, { seed: 3, firstStream: 0 });
    graph.backward();
    const embeddingGradient = trainable.parameters.find((slot) => slot.name === 'emb.weight')!.gradient;
    const row = Array.from(embeddingGradient.subarray(2 * 64, 3 * 64));
    const zeros = row.filter((g) => g === 0).length;
    // About half of 64 units dropped (binomial: 32 ± 4).
    expect(zeros).toBeGreaterThan(18);
    expect(zeros).toBeLessThan(46);
    expect(row.filter((g) => g !== 0).length).toBe(64 - zeros);
  });
});
