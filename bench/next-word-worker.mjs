// The next-word step of a word model in its own process: embedding →
// LSTM (H = 256) → output layer over a 17,906-word vocabulary → top-5 with
// probabilities (log-sum-exp over all logits). f32 or q8 weights, WebAssembly
// or TypeScript kernels. Prints one JSON line with µs per step per repeat.
// usage: node bench/next-word-worker.mjs '{"dtype":"q8","backend":"wasm","numLayers":1,"repeats":7,"repeatMs":150}'
import { PerformanceObserver } from 'node:perf_hooks';
import { LIBRARY_BUNDLE } from './lib/build-library.mjs';
import { quantize } from './peers/ours.mjs';

const spec = JSON.parse(process.argv[2]);
const library = await import(LIBRARY_BUNDLE);
const VOCABULARY = 17906;
const H = 256;
const architecture = { cell: 'lstm', input: 'embedding', vocabSize: VOCABULARY, inputSize: H, hiddenSize: H, numLayers: spec.numLayers, head: 'softmax', outputSize: VOCABULARY };
const f32 = library.createRandomModel(architecture, { seed: 17906 });
let model = f32;
if (spec.dtype === 'q8') {
  const q = quantize(library, f32);
  const head = { kind: 'softmax', weight: library.Q8Matrix.fromFloat32(VOCABULARY, H, f32.head.weight.toFloat32()), bias: f32.head.bias };
  model = new library.Model({ embedding: f32.embedding, layers: q.layers, head });
}
library.setKernelBackend(spec.backend);
if (spec.q8Mode) library.setQ8KernelMode(spec.q8Mode);
const session = model.session();
const topIds = new Int32Array(5);
const topLogits = new Float32Array(5);
const probabilities = new Float32Array(5);

/** One next-word step: returns the most likely next id; fills probabilities. */
function nextWord(token) {
  const logits = session.step(token);
  library.topKInto(topIds, topLogits, logits);
  const normalizer = library.logSumExp(logits);
  for (let i = 0; i < 5; i++) probabilities[i] = Math.exp(topLogits[i] - normalizer);
  return topIds[0];
}

function run(steps, seed) {
  let token = seed % VOCABULARY;
  let checksum = 0;
  for (let t = 0; t < steps; t++) {
    // Feed a token that varies (the prediction plus a stride), as a text stream would.
    token = (nextWord(token) + 7919 * t) % VOCABULARY;
    checksum += probabilities[0];
  }
  return checksum;
}

let checksum = run(200, 1);
const start = performance.now();
checksum += run(100, 2);
const perStepMs = (performance.now() - start) / 100;
const steps = Math.max(20, Math.round(spec.repeatMs / perStepMs));
// GC entries are delivered asynchronously: keep their start times and count
// only those inside the timed window.
const gcStarts = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
});
// Collect setup garbage first, so a count > 0 means garbage made while stepping.
globalThis.gc?.();
observer.observe({ entryTypes: ['gc'] });
const microsecondsPerStep = new Array(spec.repeats).fill(0);
const windowStart = performance.now();
for (let r = 0; r < spec.repeats; r++) {
  const t0 = performance.now();
  checksum += run(steps, r);
  microsecondsPerStep[r] = ((performance.now() - t0) * 1000) / steps;
}
const windowEnd = performance.now();
await new Promise((resolve) => setTimeout(resolve, 20));
observer.disconnect();
const gcCount = gcStarts.filter((start) => start >= windowStart && start <= windowEnd).length;
// Where the time goes, for the report: the step alone, then top-5 + normalizer alone.
const logits = session.step(3).slice();
let t0 = performance.now();
for (let i = 0; i < steps; i++) session.step(i % VOCABULARY);
const stepOnly = ((performance.now() - t0) * 1000) / steps;
t0 = performance.now();
for (let i = 0; i < steps; i++) {
  library.topKInto(topIds, topLogits, logits);
  checksum += library.logSumExp(logits);
}
const topOnly = ((performance.now() - t0) * 1000) / steps;
process.stdout.write(`${JSON.stringify({ microsecondsPerStep, stepOnly, topOnly, gcCount, weightBytes: model.byteLength, checksum })}\n`);
