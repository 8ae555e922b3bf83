// The shipped next-word model's size, load time, memory and step time (issue 5).
//   npm run build && node --expose-gc bench/shipped-model.mjs [MODEL]
// Memory: rss and (heap + external) after two collections, before loading,
// after loading, and after the first session (which puts the weights into
// WebAssembly memory). Step: median µs of next-word steps (LSTM + output
// layer + softmax normalizer + top-5) over repeated blocks.
import { readFileSync, statSync } from 'node:fs';
import { loadModel, logSumExp, topKInto } from '../dist/index.js';

const path = process.argv[2] ?? 'models/brown-lstm.q8.msgpack';
const collect = () => {
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, js: m.heapUsed + m.external };
};
const mib = (bytes) => (bytes / 1048576).toFixed(2);

const before = collect();
const started = performance.now();
const model = await loadModel(path);
const loadMs = performance.now() - started;
const loaded = collect();
const session = model.session();
session.step(1);
const withSession = collect();

const top = new Int32Array(5);
const tokens = readFileSync('data/brown/valid.txt', 'utf8').split('\n').slice(0, 2000);
const ids = new Map(model.vocabulary.map((token, id) => [token, id]));
const stream = Int32Array.from(tokens, (token) => ids.get(token) ?? 0);
const block = (n, offset) => {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const logits = session.step(stream[(offset + i) % stream.length]);
    sink += logSumExp(logits);
    topKInto(top, null, logits);
    sink += top[0];
  }
  return [((performance.now() - t0) * 1000) / n, sink];
};
block(300, 0);
const times = [];
for (let r = 0; r < 15; r++) times.push(block(200, r * 200)[0]);
times.sort((a, b) => a - b);

const a = model.architecture;
console.log(`model ${path}: ${a.cell}, ${a.numLayers} layer(s), embedding ${a.inputSize}, hidden ${a.hiddenSize}, vocabulary ${a.vocabSize}`);
console.log(`file ${statSync(path).size} bytes (${mib(statSync(path).size)} MiB); weights in memory ${mib(model.byteLength)} MiB`);
console.log(`load ${loadMs.toFixed(0)} ms`);
console.log(`memory after load: rss +${mib(loaded.rss - before.rss)} MiB, heap+external +${mib(loaded.js - before.js)} MiB`);
console.log(`memory after the first session: rss +${mib(withSession.rss - before.rss)} MiB, heap+external +${mib(withSession.js - before.js)} MiB`);
console.log(`next-word step (LSTM + head + normalizer + top-5): median ${times[7].toFixed(0)} µs (min ${times[0].toFixed(0)}, max ${times[14].toFixed(0)}) over 15 blocks of 200`);
