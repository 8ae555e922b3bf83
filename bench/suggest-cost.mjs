// What a suggestion costs beside a bare step (issue 15, item 2): one process,
// every variant on its own session of the same model, interleaved round by
// round (each round starting at the next variant) so a noisy machine slows
// all of them alike; medians of the rounds.
//   node bench/suggest-cost.mjs [MODEL] [ROUNDS] [TOKENS_PER_ROUND]
// Variants, each stepping the same token stream (data/brown/valid.txt when
// present, else a fixed pseudo-random one):
//   step                    Session.step alone
//   step+top5 (JS)          step, then logSumExp and topKInto over its logits in TypeScript
//   step+predictNext(5)     step, then session.predictNext(5): the step's logits, WebAssembly normalizer and top-k
//   step+predictNext(head)  the same after discardOutput(): the head recomputed from h (what predictNext did before)
// With BASELINE_SRC=/path/to/an/older/checkout/src, one more variant runs that
// checkout's library in the same process and rounds:
//   baseline predictNext(5) step, then predictNext(5) as that checkout does it
// With ORT=1, ONNX Runtime (onnxruntime-node, one thread) steps the same model
// exported by exportOnnx (f32), the state fed back each call, the top five
// and their log-normalizer taken in JavaScript (logSumExp, topKInto):
//   onnxruntime+top5
//   onnxruntime (step)   the same ONNX Runtime step without the top five (what the JavaScript top five costs it)
// With OTHER_MODELS=PATH[,typescript:PATH…], each of those model files (another dtype of the
// same weights, say) gets its own variant in the same rounds, on its own freshly loaded model
// (typescript: one that only TypeScript sessions ever step, so no WebAssembly kernel is attached):
//   PATH predictNext(5)     step, then predictNext(5)
// Bundles src/ with esbuild first (Node 20 cannot run .ts).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
async function bundleEntry(entry, name) {
  const outfile = `${root}node_modules/.cache/lstm-stream-bench/${name}.mjs`;
  await createRequire(`${root}package.json`)('esbuild').build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'es2022',
    outfile, external: ['@msgpack/msgpack'], logLevel: 'warning',
  });
  return import(outfile);
}
const bundle = async (src, name) => {
  const outfile = `${root}node_modules/.cache/lstm-stream-bench/${name}.mjs`;
  mkdirSync(`${root}node_modules/.cache/lstm-stream-bench`, { recursive: true });
  await createRequire(`${root}package.json`)('esbuild').build({
    entryPoints: [`${src}/index.ts`], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
    outfile, external: ['@msgpack/msgpack', 'node:*'], logLevel: 'warning',
  });
  return import(outfile);
};
const { loadModel, logSumExp, topKInto, kernelBackend, setKernelBackend } = await bundle(`${root}src`, 'suggest-cost');
const interop = process.env.ORT === '1' ? await bundleEntry(`${root}src/interop/index.ts`, 'suggest-cost-interop') : null;
const baseline = process.env.BASELINE_SRC ? await bundle(process.env.BASELINE_SRC, 'suggest-cost-baseline') : null;

const path = process.argv[2] ?? 'models/brown-lstm.q8.msgpack';
const rounds = Number(process.argv[3] ?? 21);
const perRound = Number(process.argv[4] ?? 200);
const model = await loadModel(path);
const V = model.architecture.vocabSize;
const validation = `${root}data/brown/valid.txt`;
let stream;
if (existsSync(validation) && model.vocabulary !== null) {
  const ids = new Map(model.vocabulary.map((token, id) => [token, id]));
  stream = Int32Array.from(readFileSync(validation, 'utf8').split('\n').slice(0, 20000), (token) => ids.get(token) ?? 0);
} else {
  let seed = 1;
  stream = Int32Array.from({ length: 20000 }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % V));
}
const top = new Int32Array(5);
const variants = [
  { name: 'step', suggest: () => 0 },
  { name: 'step+top5 (JS)', suggest: (s, logits) => logSumExp(logits) + (topKInto(top, null, logits), top[0]) },
  { name: 'step+predictNext(5)', suggest: (s) => s.predictNext(5)[0].probability },
  { name: 'step+predictNext(head)', suggest: (s) => (s.discardOutput(), s.predictNext(5)[0].probability) },
].map((v) => ({ ...v, session: model.session(), times: [] }));
for (const entry of (process.env.OTHER_MODELS ?? '').split(',').filter((e) => e.length > 0)) {
  const typescript = entry.startsWith('typescript:');
  const other = await loadModel(typescript ? entry.slice('typescript:'.length) : entry);
  if (typescript) setKernelBackend('typescript');
  const session = other.session();
  setKernelBackend('auto');
  variants.push({ name: `${typescript ? 'TypeScript ' : ''}${entry.split('/').pop()} predictNext(5)`, suggest: (s) => s.predictNext(5)[0].probability, session, times: [] });
}
if (baseline !== null) {
  variants.push({ name: 'baseline predictNext(5)', suggest: (s) => s.predictNext(5)[0].probability, session: (await baseline.loadModel(path)).session(), times: [] });
}
if (interop !== null) {
  const ort = createRequire(`${root}package.json`)('onnxruntime-node');
  const onnx = await ort.InferenceSession.create(interop.exportOnnx(model), {
    graphOptimizationLevel: 'all', executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
  });
  const { numLayers: L, hiddenSize: H } = model.architecture;
  const state = { h0: new ort.Tensor('float32', new Float32Array(L * H), [L, 1, H]), c0: new ort.Tensor('float32', new Float32Array(L * H), [L, 1, H]) };
  const token = new BigInt64Array(1);
  const tokens = new ort.Tensor('int64', token, [1, 1]);
  const ortStep = async (id) => {
    token[0] = BigInt(id);
    const out = await onnx.run({ tokens, h0: state.h0, c0: state.c0 });
    state.h0 = out.h_n;
    state.c0 = out.c_n;
    return out.logits.data;
  };
  variants.push({
    name: 'onnxruntime+top5',
    times: [],
    async: true,
    async step(id) {
      const logits = await ortStep(id);
      return logSumExp(logits) + (topKInto(top, null, logits), top[0]);
    },
  });
  variants.push({ name: 'onnxruntime (step)', times: [], async: true, step: async (id) => (await ortStep(id))[0] });
}

let offset = 0;
let sink = 0;
const asyncBlock = async (variant, n) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += await variant.step(stream[(offset + i) % stream.length]);
  variant.times.push(((performance.now() - t0) * 1000) / n);
};
const block = (variant, n) => {
  const { session, suggest } = variant;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const logits = session.step(stream[(offset + i) % stream.length]);
    sink += suggest(session, logits);
  }
  variant.times.push(((performance.now() - t0) * 1000) / n);
};
for (const variant of variants) {
  if (variant.async) await asyncBlock(variant, 300);
  else block(variant, 1000); // warm-up: state and the engine's optimization
  variant.times = [];
}
offset = 1000;
for (let r = 0; r < rounds; r++) {
  // Each round starts at another variant, so none always runs first or last.
  const order = variants.map((_, i) => variants[(i + r) % variants.length]);
  for (const variant of order) {
    if (variant.async) await asyncBlock(variant, perRound);
    else block(variant, perRound);
  }
  offset += perRound;
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const step = median(variants[0].times);
console.log(`model ${path} (V ${V}, H ${model.architecture.hiddenSize}), kernels ${kernelBackend()}; ${rounds} rounds of ${perRound} tokens per variant, interleaved; median µs per token`);
for (const variant of variants) {
  const m = median(variant.times);
  console.log(`${variant.name.padEnd(40)} ${m.toFixed(1).padStart(7)} µs  ${(m / step).toFixed(3)}× step`);
}
if (!Number.isFinite(sink)) console.log('sink', sink);
