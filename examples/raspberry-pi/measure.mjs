// Memory and speed of LSTM language models of a few sizes on this machine:
// run it on the board you deploy to (a Raspberry Pi) for that board's figures.
//
//   node examples/raspberry-pi/measure.mjs            # a table
//   node examples/raspberry-pi/measure.mjs --json     # one JSON object per model size
//
// Models have random weights of the real sizes (speed and memory do not depend
// on the values), stored as q8 like the shipped models. Per size: the q8 file,
// the memory of the loaded weights and of one session, and the median time of
// one step, and of one step plus the top-5 next tokens, with the WebAssembly
// SIMD kernels and with the TypeScript ones.
import { parseArgs } from 'node:util';
import { createRandomModel, decodeModel, encodeModel, kernelBackend, setKernelBackend, wasmSimdSupported } from 'lstm-stream';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, steps: { type: 'string', default: '2000' } } });
const STEPS = Number(values.steps);
const REPEATS = 5;

const SIZES = [
  { name: 'char, H 128 (models/brown-char)', vocabSize: 82, inputSize: 32, hiddenSize: 128 },
  { name: 'words 10k, H 128', vocabSize: 10_000, inputSize: 128, hiddenSize: 128 },
  { name: 'words 10k, H 256', vocabSize: 10_000, inputSize: 256, hiddenSize: 256 },
  { name: 'words 10k, H 512', vocabSize: 10_000, inputSize: 512, hiddenSize: 512 },
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median microseconds per call of `work` over REPEATS runs of STEPS calls. */
function time(work) {
  for (let i = 0; i < 200; i++) work(i); // warm-up: compile the hot path
  const runs = [];
  for (let r = 0; r < REPEATS; r++) {
    const started = performance.now();
    for (let i = 0; i < STEPS; i++) work(i);
    runs.push(((performance.now() - started) * 1000) / STEPS);
  }
  return median(runs);
}

const results = [];
for (const size of SIZES) {
  const architecture = { cell: 'lstm', input: 'embedding', vocabSize: size.vocabSize, inputSize: size.inputSize, hiddenSize: size.hiddenSize, numLayers: 1, head: 'softmax', outputSize: size.vocabSize };
  const bytes = encodeModel(createRandomModel(architecture, { seed: 1 }), { dtype: 'q8' });
  const model = decodeModel(bytes);
  const session = model.session();
  const row = { name: size.name, parameters: model.parameterCount, fileBytes: bytes.length, sessionBytes: session.byteLength, microseconds: {} };
  for (const backend of wasmSimdSupported() ? ['wasm', 'typescript'] : ['typescript']) {
    setKernelBackend(backend);
    const s = model.session();
    row.microseconds[backend] = {
      step: Number(time((i) => s.step(i % size.vocabSize)).toFixed(1)),
      stepAndTop5: Number(time((i) => (s.step(i % size.vocabSize), s.predictNext(5))).toFixed(1)),
    };
  }
  setKernelBackend('wasm');
  results.push(row);
}

const rss = process.memoryUsage().rss;
if (values.json) {
  for (const row of results) console.log(JSON.stringify(row));
  console.log(JSON.stringify({ node: process.version, arch: process.arch, rssBytes: rss, kernels: kernelBackend() }));
} else {
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  console.log(`Node ${process.version} on ${process.arch}; ${STEPS} steps × ${REPEATS} repeats, medians\n`);
  console.log('| model | parameters | q8 file | session | µs/step wasm | µs/step+top-5 wasm | µs/step TypeScript | µs/step+top-5 TypeScript |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const w = r.microseconds.wasm ?? { step: NaN, stepAndTop5: NaN };
    const t = r.microseconds.typescript;
    console.log(`| ${r.name} | ${r.parameters.toLocaleString('en')} | ${kb(r.fileBytes)} | ${kb(r.sessionBytes)} | ${w.step} | ${w.stepAndTop5} | ${t.step} | ${t.stepAndTop5} |`);
  }
  console.log(`\nresident memory of this process at the end: ${(rss / 2 ** 20).toFixed(0)} MB (Node itself is most of it)`);
}
