// Planning figure for issue 5: training tokens/s at the Brown vocabulary (17,906 words) with 134
// frequency classes, batch 20, window 35, wasm kernel, 1 thread, Zipf-distributed random tokens;
// median of 5 timed windows after one warm-up window.
//   npm run build && node bench/train-brown-scale.mjs
import { createRandomModel, SeededRandom } from '../dist/index.js';
import { train } from '../dist/train.js';
const V = 17906, r = new SeededRandom(1);
const N = 20 * 35 * 6 + 1;
const tokens = Int32Array.from({ length: N }, () => Math.min(V - 1, Math.floor(Math.exp(r.next() * Math.log(V))) - 1));
for (const [H, L] of [[256, 1], [256, 2], [512, 1]]) {
  const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: H, hiddenSize: H, numLayers: L, head: 'softmax', outputSize: V }, { seed: 1 });
  const times = []; let last = performance.now();
  await train(model, { train: { inputs: tokens.subarray(0, N - 1), targets: tokens.subarray(1), inputWidth: 1, targetWidth: 1 }, batchSize: 20, window: 35, epochs: 1, classCount: 134, onProgress: () => { const n = performance.now(); times.push(n - last); last = n; } });
  const m = times.slice(1).sort((a, b) => a - b)[2];
  console.log(`V ${V}, E=H ${H}, layers ${L}, 134 classes: ${(700 / (m / 1000)).toFixed(0)} tokens/s (median window ${m.toFixed(0)} ms)`);
}
