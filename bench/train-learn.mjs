// Must-show 2 figures: the synthetic tasks of test/train/learning.test.ts, printed.
//   npm run build && node bench/train-learn.mjs
import { createRandomModel, SeededRandom } from '../dist/index.js';
import { train } from '../dist/train.js';

function recallData(seed, length, vocab, k) {
  const random = new SeededRandom(seed);
  const inputs = new Int32Array(length);
  const targets = new Int32Array(length);
  for (let t = 0; t < length; t++) {
    inputs[t] = random.integer(vocab);
    targets[t] = t >= k ? inputs[t - k] : 0;
  }
  return { inputs, targets, inputWidth: 1, targetWidth: 1 };
}
function sineData(seed, length, offset) {
  const random = new SeededRandom(seed);
  const inputs = new Float32Array(length);
  const targets = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    inputs[t] = Math.sin((t + offset) * 0.3) + random.uniform(-0.1, 0.1);
    targets[t] = Math.sin((t + offset + 1) * 0.3);
  }
  return { inputs, targets, inputWidth: 1, targetWidth: 1 };
}

const recall = await train(
  createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: 8, inputSize: 16, hiddenSize: 32, numLayers: 1, head: 'softmax', outputSize: 8 }, { seed: 2 }),
  { train: recallData(3, 6000, 8, 3), validation: recallData(4, 1000, 8, 3), batchSize: 10, window: 20, epochs: 14, learningRate: 0.01, validationBatchSize: 1 },
);
console.log(`recall-3 (LSTM 32, vocabulary 8, chance ln 8 = 2.079): held-out loss by epoch ${recall.history.map((r) => r.validLoss.toFixed(3)).join(' ')}`);
const validation = sineData(6, 1000, 5000);
const sine = await train(
  createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 1, hiddenSize: 16, numLayers: 1, head: 'linear', outputSize: 1 }, { seed: 2 }),
  { train: sineData(5, 4000, 0), validation, batchSize: 10, window: 20, epochs: 10, learningRate: 0.01, validationBatchSize: 1 },
);
let persistence = 0;
for (let t = 0; t < 1000; t++) persistence += (validation.inputs[t] - validation.targets[t]) ** 2;
console.log(`noisy sine (LSTM 16, MSE head): held-out RMSE ${Math.sqrt(sine.history.at(-1).validLoss).toFixed(4)} (persistence baseline ${Math.sqrt(persistence / 1000).toFixed(4)}, input noise RMS ${(0.1 / Math.sqrt(3)).toFixed(4)})`);
