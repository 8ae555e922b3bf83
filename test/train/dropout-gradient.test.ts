import { describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom } from '../../src/index.ts';
import { NetworkGraph, TrainableModel } from '../../src/train/index.ts';
import { centralDifference } from '../helpers/central-differences.ts';

// Dropout masks depend on the seed alone, so with the seed fixed the loss is a
// smooth function of the weights and central differences check the gradient
// through every dropout site: whole word types, the embedding output, the
// layers' outputs and h(t-1) inside the recurrent product.
describe('dropout gradients', () => {
  it.each([
    { cell: 'lstm', dropout: 0, inputDropout: 0.4, recurrentDropout: 0, embeddingDropout: 0 },
    { cell: 'lstm', dropout: 0.3, inputDropout: 0.5, recurrentDropout: 0, embeddingDropout: 0 },
    { cell: 'lstm', dropout: 0, inputDropout: 0, recurrentDropout: 0.4, embeddingDropout: 0 },
    { cell: 'lstm', dropout: 0, inputDropout: 0, recurrentDropout: 0, embeddingDropout: 0.4 },
    { cell: 'lstm', dropout: 0.3, inputDropout: 0.5, recurrentDropout: 0.3, embeddingDropout: 0.3 },
    { cell: 'rnn-tanh', dropout: 0.2, inputDropout: 0, recurrentDropout: 0.4, embeddingDropout: 0.2 },
  ] as const)('match finite differences: $cell, dropout $dropout, input $inputDropout, recurrent $recurrentDropout, embedding $embeddingDropout', ({ cell, dropout, inputDropout, recurrentDropout, embeddingDropout }) => {
    const V = 6;
    const B = 2;
    const T = 5;
    const model = createRandomModel({ cell, input: 'embedding', vocabSize: V, inputSize: 4, hiddenSize: 5, numLayers: 2, head: 'softmax', outputSize: V }, { seed: 11, embeddingScale: 0.5 });
    const random = new SeededRandom(4);
    const inputs = Int32Array.from({ length: T * B }, () => random.integer(V));
    const targets = Int32Array.from({ length: T * B }, () => random.integer(V));
    const trainable = new TrainableModel(model, {});
    const masks = { seed: 77, firstStream: 0 };
    const lossOf = (): number => {
      const graph = new NetworkGraph(trainable, { batchSize: B, window: T, dropout, inputDropout, recurrentDropout, embeddingDropout, kernel: 'typescript' });
      return graph.forward(inputs, targets, T, masks);
    };
    const graph = new NetworkGraph(trainable, { batchSize: B, window: T, dropout, inputDropout, recurrentDropout, embeddingDropout, kernel: 'typescript' });
    trainable.zeroGradients();
    const withMasks = graph.forward(inputs, targets, T, masks);
    const withoutMasks = graph.forward(inputs, targets, T, null);
    expect(withMasks).not.toBeCloseTo(withoutMasks, 3);
    // Without masks (evaluation) the dropout settings change nothing.
    const fresh = (settings: object) => new NetworkGraph(trainable, { batchSize: B, window: T, kernel: 'typescript', ...settings }).forward(inputs, targets, T, null);
    expect(fresh({ dropout, inputDropout, recurrentDropout, embeddingDropout })).toBe(fresh({}));
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

  it('recurrent dropout keeps one mask per stream for the whole window: a dropped unit of h(t-1) gets no recurrent weight gradient at any step', () => {
    const V = 5;
    const I = 3;
    const H = 48;
    const T = 6;
    const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: I, hiddenSize: H, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 5, embeddingScale: 0.5 });
    const trainable = new TrainableModel(model, {});
    const graph = new NetworkGraph(trainable, { batchSize: 1, window: T, recurrentDropout: 0.5, kernel: 'typescript' });
    trainable.zeroGradients();
    const random = new SeededRandom(9);
    const inputs = Int32Array.from({ length: T }, () => random.integer(V));
    graph.forward(inputs, Int32Array.from({ length: T }, () => random.integer(V)), T, { seed: 21, firstStream: 0 });
    graph.backward();
    const weightGradient = trainable.parameters.find((slot) => slot.name === 'rnn.weight_l0')!.gradient;
    // The fused weight is [4H × (I + H)]: column I + j is unit j of h(t-1). With masks drawn per
    // step a unit would be kept at some steps and get a gradient; with one mask, all or nothing.
    let dropped = 0;
    for (let j = 0; j < H; j++) {
      let nonZero = 0;
      for (let row = 0; row < 4 * H; row++) if (weightGradient[row * (I + H) + I + j] !== 0) nonZero++;
      if (nonZero === 0) dropped++;
      else expect(nonZero).toBeGreaterThan(4 * H - 8);
    }
    // About half of 48 units dropped (binomial: 24 ± 3.5).
    expect(dropped).toBeGreaterThan(12);
    expect(dropped).toBeLessThan(36);
  });

  it('embedding dropout drops a word type everywhere in the window: its row gets no gradient, a kept word\'s row does', () => {
    const V = 40;
    const B = 3;
    const T = 20;
    const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 4, hiddenSize: 6, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 8, embeddingScale: 0.5 });
    const trainable = new TrainableModel(model, {});
    const graph = new NetworkGraph(trainable, { batchSize: B, window: T, embeddingDropout: 0.5, kernel: 'typescript' });
    const random = new SeededRandom(12);
    // Each of 10 words appears 6 times, in different streams and steps.
    const inputs = Int32Array.from({ length: T * B }, (_, r) => (r * 7) % 10);
    trainable.zeroGradients();
    graph.forward(inputs, Int32Array.from({ length: T * B }, () => random.integer(V)), T, { seed: 5, firstStream: 0 });
    graph.backward();
    const gradient = trainable.parameters.find((slot) => slot.name === 'emb.weight')!.gradient;
    const rowIsZero = (token: number) => gradient.subarray(token * 4, token * 4 + 4).every((g) => g === 0);
    const dropped = Array.from({ length: 10 }, (_, token) => token).filter(rowIsZero);
    // About half of 10 word types dropped (binomial: 5 ± 1.6); a draw per occurrence would drop all
    // six occurrences of a word with probability 1/64, so would leave almost no zero row.
    expect(dropped.length).toBeGreaterThanOrEqual(2);
    expect(dropped.length).toBeLessThanOrEqual(8);
    // Words that never occur have no gradient either way; the head's rows are separate (untied).
    for (let token = 10; token < V; token++) expect(rowIsZero(token)).toBe(true);
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
