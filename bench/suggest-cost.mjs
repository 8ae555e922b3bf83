// What a suggestion costs beside a bare step (issue 15, item 2): one process,
// every variant on its own session of the same model, interleaved round by
// round so a noisy machine slows all of them alike; medians of the rounds.
//   node bench/suggest-cost.mjs [MODEL] [ROUNDS] [TOKENS_PER_ROUND]
// Variants, each stepping the same token stream (data/brown/valid.txt when
// present, else a fixed pseudo-random one):
//   step                    Session.step alone
//   step+top5 (JS)          step, then logSumExp and topKInto over its logits in TypeScript
//   step+predictNext(5)     step, then session.predictNext(5): the step's logits, WebAssembly normalizer and top-k
//   step+predictNext(head)  the same after discardOutput(): the head recomputed from h (what predictNext did before)
// Bundles src/ with esbuild first (Node 20 cannot run .ts).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}node_modules/.cache/lstm-stream-bench/suggest-cost.mjs`;
mkdirSync(`${root}node_modules/.cache/lstm-stream-bench`, { recursive: true });
await createRequire(`${root}package.json`)('esbuild').build({
  entryPoints: [`${root}src/index.ts`], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
  outfile, external: ['@msgpack/msgpack', 'node:*'], logLevel: 'warning',
});
const { loadModel, logSumExp, topKInto, kernelBackend } = await import(outfile);

const path = process.argv[2] ?? 'models/brown-lstm.q8.msgpack';
const rounds = Number(process.argv[3] ?? 15);
const perRound = Number(process.argv[4] ?? 300);
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

let offset = 0;
let sink = 0;
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
  block(variant, 1000); // warm-up: state and the engine's optimization
  variant.times = [];
}
offset = 1000;
for (let r = 0; r < rounds; r++) {
  for (const variant of variants) block(variant, perRound);
  offset += perRound;
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const step = median(variants[0].times);
console.log(`model ${path} (V ${V}, H ${model.architecture.hiddenSize}), kernels ${kernelBackend()}; ${rounds} rounds of ${perRound} tokens per variant, interleaved; median µs per token`);
for (const variant of variants) {
  const m = median(variant.times);
  console.log(`${variant.name.padEnd(24)} ${m.toFixed(1).padStart(7)} µs  ${(m / step).toFixed(3)}× step`);
}
if (!Number.isFinite(sink)) console.log('sink', sink);
