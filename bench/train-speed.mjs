// Training speed, side by side in one process: lstm-stream's trainer against
// TensorFlow.js (cpu backend) model.fit on the same model: embedding 256, LSTM
// hidden 256, vocabulary 10,000, window 35, batch 20, Adam.
//
//   npm run build && node bench/train-speed.mjs [--repeats 3] [--windows 3] [--tfjs-repeats 1] [--tfjs-windows 1]
//
// Each engine trains on the same random tokens for a few windows (after one
// warm-up window, which is not timed); rounds alternate between engines and
// the medians are reported. TF.js needs minutes per batch here, so by default
// it runs in the first round only, for one timed batch. lstm-stream runs with the full softmax (the same model as TF.js)
// and with a 100-class factorized softmax (its word-level training mode),
// single-threaded and with 2 worker threads.
import { parseArgs } from 'node:util';
import { createRandomModel, SeededRandom } from '../dist/index.js';
import { train } from '../dist/train.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    windows: { type: 'string', default: '3' },
    engines: { type: 'string', default: 'full-ts,full,full-2w,classes-ts,classes,classes-2w,tfjs' },
    // TF.js takes minutes per batch on this machine, so it may run fewer rounds and windows.
    'tfjs-repeats': { type: 'string', default: '1' },
    'tfjs-windows': { type: 'string', default: '1' },
  },
});
const repeats = Number(values.repeats);
const windows = Number(values.windows);
const engines = values.engines.split(',');
const V = 10_000;
const E = 256;
const H = 256;
const T = 35;
const B = 20;

// Zipf-like token stream, so the frequency classes see a realistic spread.
const random = new SeededRandom(1);
const tokenCount = B * T * (windows + 1) + 1;
const tokens = new Int32Array(tokenCount);
for (let i = 0; i < tokenCount; i++) tokens[i] = Math.min(V - 1, Math.floor(Math.exp(random.next() * Math.log(V))) - 1);

async function lstmStream(classCount, workers, kernel) {
  const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: E, hiddenSize: H, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 1 });
  const times = [];
  let last = performance.now();
  await train(model, {
    train: { inputs: tokens.subarray(0, tokenCount - 1), targets: tokens.subarray(1), inputWidth: 1, targetWidth: 1 },
    batchSize: B,
    window: T,
    epochs: 1,
    maxWindowsPerEpoch: windows + 1,
    classCount,
    workers,
    kernel,
    onProgress: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  const measured = times.slice(1); // the first window warms up the JIT
  return (measured.length * B * T) / (measured.reduce((s, v) => s + v, 0) / 1000);
}

let tf = null;
async function tfjs() {
  if (tf === null) {
    tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
  }
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: V, outputDim: E, inputLength: T }));
  model.add(tf.layers.lstm({ units: H, returnSequences: true }));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: V, activation: 'softmax' }) }));
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'sparseCategoricalCrossentropy' });
  const tfWindows = Number(values['tfjs-windows']);
  const x = new Float32Array((tfWindows + 1) * B * T);
  const y = new Float32Array((tfWindows + 1) * B * T);
  for (let i = 0; i < x.length; i++) {
    x[i] = tokens[i];
    y[i] = tokens[i + 1];
  }
  const xs = tf.tensor2d(x, [(tfWindows + 1) * B, T]);
  const ys = tf.tensor3d(y, [(tfWindows + 1) * B, T, 1]);
  const times = [];
  let last = performance.now();
  await model.fit(xs, ys, {
    batchSize: B,
    epochs: 1,
    shuffle: false,
    verbose: 0,
    callbacks: {
      onBatchEnd: async () => {
        const now = performance.now();
        times.push(now - last);
        process.stderr.write(`  tfjs batch ${times.length}: ${((now - last) / 1000).toFixed(1)} s\n`);
        last = now;
      },
    },
  });
  xs.dispose();
  ys.dispose();
  model.dispose();
  const measured = times.slice(1);
  return (measured.length * B * T) / (measured.reduce((s, v) => s + v, 0) / 1000);
}

const runners = {
  tfjs: ['TensorFlow.js 4.22 cpu, model.fit (full softmax)', tfjs],
  'full-ts': ['lstm-stream, full softmax, TypeScript kernel, 1 thread', () => lstmStream(0, 1, 'typescript')],
  full: ['lstm-stream, full softmax, wasm SIMD kernel, 1 thread', () => lstmStream(0, 1, 'wasm')],
  'full-2w': ['lstm-stream, full softmax, wasm SIMD kernel, 2 threads', () => lstmStream(0, 2, 'wasm')],
  'classes-ts': ['lstm-stream, 100 frequency classes, TypeScript kernel, 1 thread', () => lstmStream(100, 1, 'typescript')],
  classes: ['lstm-stream, 100 frequency classes, wasm SIMD kernel, 1 thread', () => lstmStream(100, 1, 'wasm')],
  'classes-2w': ['lstm-stream, 100 frequency classes, wasm SIMD kernel, 2 threads', () => lstmStream(100, 2, 'wasm')],
};
const results = Object.fromEntries(engines.map((e) => [e, []]));
for (let r = 0; r < repeats; r++) {
  for (const engine of engines) {
    if (engine === 'tfjs' && r >= Number(values['tfjs-repeats'])) continue;
    const tokensPerSecond = await runners[engine][1]();
    results[engine].push(tokensPerSecond);
    process.stderr.write(`round ${r + 1} ${engine}: ${tokensPerSecond.toFixed(0)} tokens/s\n`);
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const peer = results.tfjs ? median(results.tfjs) : null;
console.log(`| engine | tokens/s (median) | runs | vs TF.js |`);
console.log('| --- | ---: | --- | ---: |');
for (const engine of engines) {
  const m = median(results[engine]);
  console.log(`| ${runners[engine][0]} | ${m < 10 ? m.toFixed(2) : m.toFixed(0)} | ${results[engine].map((v) => (v < 10 ? v.toFixed(2) : v.toFixed(0))).join(', ')} | ${peer ? (m / peer).toFixed(2) + '×' : '—'} |`);
}
