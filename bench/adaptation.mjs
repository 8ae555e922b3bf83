// What adaptation costs on the shipped model (issue 14), each variant beside
// the unadapted step in the same process, interleaved round by round so that
// a noisy machine slows all of them alike; medians of the rounds.
//   npm run build && node dist/cli.js prepare-brown && node bench/adaptation.mjs [MODEL] [ROUNDS]
// Variants, each stepping the same validation tokens:
//   step+top5          Session.step, then log-normalizer and top-5 from its logits
//   step+predictNext   Session.step, then session.predictNext(5) (recomputes the head)
//   cache              AdaptiveSession with the default continuous cache: step + predictNext(5)
//   unigram            AdaptiveSession with a unigram cache: step + predictNext(5)
//   dynamic:P          AdaptiveSession, no cache, dynamic evaluation of parameters P: step,
//                      the update amortized over the segment (blocks are whole segments)
// Then the size of a profile of each after 4,000 tokens (the cache full), and
// what each session holds (byteLength: its buffers, caches, weight copies and
// gradients; the shared model's weights not counted).
import { readFileSync } from 'node:fs';
import { adaptiveSession, encodeProfile, loadModel, logSumExp, profileOf, topKInto } from '../dist/index.js';
import { dynamicEvaluation, DEFAULT_DYNAMIC } from '../dist/adapt.js';

const path = process.argv[2] ?? 'models/brown-lstm.q8.msgpack';
const rounds = Number(process.argv[3] ?? 9);
const model = await loadModel(path);
const ids = new Map(model.vocabulary.map((token, id) => [token, id]));
const stream = Int32Array.from(readFileSync('data/brown/valid.txt', 'utf8').split('\n').slice(0, 8000), (token) => ids.get(token) ?? 0);
const top = new Int32Array(5);
const segment = DEFAULT_DYNAMIC.segment;

const variants = [
  { name: 'step+top5', session: model.session(), suggest: (s, logits) => logSumExp(logits) + (topKInto(top, null, logits), top[0]) },
  { name: 'step+predictNext', session: model.session(), suggest: (s) => s.predictNext(5)[0].probability },
  { name: 'cache', session: adaptiveSession(model), suggest: (s) => s.predictNext(5)[0].probability },
  { name: 'unigram', session: adaptiveSession(model, { cache: { kind: 'unigram' } }), suggest: (s) => s.predictNext(5)[0].probability },
  ...['biases', 'recurrent', 'all'].map((parameters) => ({
    name: `dynamic:${parameters}`,
    session: adaptiveSession(model, { cache: false, dynamic: dynamicEvaluation(model, { parameters }) }),
    suggest: (s) => s.predictNext(5)[0].probability,
  })),
];
let offset = 0;
const block = (variant, n) => {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const logits = variant.session.step(stream[(offset + i) % stream.length]);
    sink += variant.suggest(variant.session, logits);
  }
  variant.times.push(((performance.now() - t0) * 1000) / n);
  return sink;
};
// Warm-up: fill every cache (4,000 tokens) and let the engine optimize.
for (const variant of variants) {
  variant.times = [];
  for (let i = 0; i < 4000; i++) variant.session.step(stream[i]);
  block(variant, 200);
  variant.times = [];
}
offset = 4000;
for (let r = 0; r < rounds; r++) {
  for (const variant of variants) block(variant, segment * 10);
  offset += segment * 10;
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(variants[0].times);
const predictNextBase = median(variants[1].times);
console.log(`model ${path}; ${rounds} rounds of ${segment * 10} tokens per variant, interleaved; median µs per token`);
for (const variant of variants) {
  const m = median(variant.times);
  const profile = variant.session.cache !== undefined ? encodeProfile(profileOf(variant.session)).length : 0;
  console.log(
    `${variant.name.padEnd(18)} ${m.toFixed(0).padStart(6)} µs  ${(m / base).toFixed(2)}× step+top5  ${(m / predictNextBase).toFixed(2)}× step+predictNext` +
      `  session ${(variant.session.byteLength / 1048576).toFixed(2)} MiB` +
      (profile > 0 ? `  profile ${(profile / 1048576).toFixed(2)} MiB` : ''),
  );
}
