import { describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom } from '../../src/index.ts';
import { train, type SequenceData } from '../../src/train/index.ts';

/** Random tokens; the target at step t is the input k steps earlier (0 before that). */
function recallData(seed: number, length: number, vocab: number, k: number): SequenceData {
  const random = new SeededRandom(seed);
  const inputs = new Int32Array(length);
  const targets = new Int32Array(length);
  for (let t = 0; t < length; t++) {
    inputs[t] = random.integer(vocab);
    targets[t] = t >= k ? inputs[t - k] : 0;
  }
  return { inputs, targets, inputWidth: 1, targetWidth: 1 };
}

/** A sine sampled every 0.3 rad with uniform noise ±0.1 on the input; the target is the next clean value. */
function sineData(seed: number, length: number, offset: number): SequenceData {
  const random = new SeededRandom(seed);
  const inputs = new Float32Array(length);
  const targets = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    inputs[t] = Math.sin((t + offset) * 0.3) + random.uniform(-0.1, 0.1);
    targets[t] = Math.sin((t + offset + 1) * 0.3);
  }
  return { inputs, targets, inputWidth: 1, targetWidth: 1 };
}

// Must-show 2: it learns tasks with a known answer.
describe('learning', () => {
  it('an LSTM learns to recall the token seen 3 steps earlier (held-out loss near zero)', async () => {
    const V = 8;
    const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 16, hiddenSize: 32, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 2 });
    const result = await train(model, {
      train: recallData(3, 6000, V, 3),
      validation: recallData(4, 1000, V, 3),
      batchSize: 10,
      window: 20,
      epochs: 14,
      learningRate: 0.01,
      // One validation stream: every stream starts from a zero state, where the first 3 answers are unknowable.
      validationBatchSize: 1,
    });
    const last = result.history[result.history.length - 1];
    // Chance level is ln 8 = 2.08; the answer is fully determined by the input, so the loss can reach 0.
    expect(result.history[0].validLoss).toBeGreaterThan(1);
    expect(last.validLoss).toBeLessThan(0.05);
    // The returned model predicts the held-out answer at every step past the start.
    const data = recallData(9, 200, V, 3);
    const session = result.model.session();
    let correct = 0;
    for (let t = 0; t < 200; t++) {
      const logits = session.step(data.inputs[t]);
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
      if (t >= 3 && best === data.targets[t]) correct++;
    }
    expect(correct).toBe(197);
  });

  it('the MSE head forecasts a noisy sine one step ahead with held-out RMSE < 0.06', async () => {
    const model = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 1, hiddenSize: 16, numLayers: 1, head: 'linear', outputSize: 1 }, { seed: 2 });
    const validation = sineData(6, 1000, 5000);
    const result = await train(model, { train: sineData(5, 4000, 0), validation, batchSize: 10, window: 20, epochs: 10, learningRate: 0.01, validationBatchSize: 1 });
    const rmse = Math.sqrt(result.history[result.history.length - 1].validLoss);
    // Persistence (predict the noisy input) scores about 0.22; the input noise alone has RMS 0.058.
    expect(rmse).toBeLessThan(0.06);
    let persistence = 0;
    for (let t = 0; t < 1000; t++) persistence += (validation.inputs[t] - validation.targets[t]) ** 2;
    expect(Math.sqrt(persistence / 1000)).toBeGreaterThan(0.2);
  });

  it('an Elman RNN learns the recall task with SGD and momentum', async () => {
    const V = 6;
    const model = createRandomModel({ cell: 'rnn-tanh', input: 'embedding', vocabSize: V, inputSize: 12, hiddenSize: 32, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 4 });
    const result = await train(model, { train: recallData(7, 6000, V, 2), batchSize: 10, window: 10, epochs: 12, optimizer: 'sgd', learningRate: 0.2, momentum: 0.9 });
    expect(result.history[result.history.length - 1].trainLoss).toBeLessThan(0.1);
  });
});
