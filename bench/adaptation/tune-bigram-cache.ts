// Does a bigram recency cache (how often the writer followed the previous word with each word)
// add top-5 on top of the continuous cache? Perplexity and top-5 on validation, no dynamic evaluation:
//   node_modules/.bin/deno run -A bench/adaptation/tune-bigram-cache.ts models/brown-lstm.q8.msgpack data/brown/valid.txt 0 10000 [dynamic]
// (dynamic: the model's logits come from dynamic evaluation with the library's defaults).
// p = (1 − λc − λb')·p_model + λc·p_continuous + λb'·p_bigram(w | previous), with
// λb' = λb·n/(n + k), n the times the previous word was read in the window (0 when never).
// 2026-12-06, shipped 256 model, validation tokens 0–10,000 (θ 0.6, λc 0.15, W 1000):
//   cache only: λb 0 134.86 / 40.93%, λb 0.05 132.26 / 41.30%, 0.1 132.53 / 41.30%, 0.2 135.95 / 40.68%;
//   with dynamic evaluation: λb 0 127.38 / 41.52%, 0.03 126.29 / 41.66%, 0.05 126.35 / 41.52%,
//   0.08 126.86 / 41.29%. Dynamic evaluation already learns what the bigram cache knows: +0.1 point
//   of top-5 at best, so it was not built into the library.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../../src/format/decode-model.ts';
import { logSumExp } from '../../src/math/softmax.ts';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';

const [modelPath, tokenPath, startText, limitText, mode] = process.argv.slice(2);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
const index = new Map(model.vocabulary!.map((t, i) => [t, i]));
const lines = readFileSync(tokenPath, 'utf8').split('\n').filter((l) => l.length > 0);
const tokens = lines.slice(Number(startText), Number(startText) + Number(limitText)).map((t) => index.get(t) ?? 0);
const H = model.architecture.hiddenSize, V = model.architecture.outputSize;
const W = 1000, theta = 0.6, lambdaC = 0.15;
const configs = [
  { lambdaB: 0, k: 0 }, { lambdaB: 0.03, k: 0 }, { lambdaB: 0.05, k: 0 }, { lambdaB: 0.08, k: 0 },
  { lambdaB: 0.1, k: 1 }, { lambdaB: 0.15, k: 2 },
].map((c) => ({ ...c, nll: 0, top5: 0 }));
const states = new Float32Array(W * H), next = new Int32Array(W), previousOf = new Int32Array(W);
let count = 0;
const adaptive = new AdaptiveSession(model, { cache: false, dynamic: mode === 'dynamic' ? dynamicEvaluation(model, {}) : null });
const session = adaptive.session;
const top = session.h.subarray((model.architecture.numLayers - 1) * H);
let out = adaptive.step(index.get('<p>')!);
const p = new Float64Array(V), cache = new Float64Array(V), bigram = new Float64Array(V), mix = new Float64Array(V);
const dots = new Float64Array(W);
let previous = index.get('<p>')!;
for (let t = 0; t < tokens.length; t++) {
  const target = tokens[t];
  const lse = logSumExp(out, V);
  for (let w = 0; w < V; w++) p[w] = Math.exp(out[w] - lse);
  const n = Math.min(count, W);
  cache.fill(0); bigram.fill(0);
  let max = -Infinity;
  for (let e = 0; e < n; e++) { let d = 0; for (let j = 0; j < H; j++) d += top[j] * states[e * H + j]; dots[e] = theta * d; max = Math.max(max, dots[e]); }
  let sum = 0;
  for (let e = 0; e < n; e++) { const x = Math.exp(dots[e] - max); dots[e] = x; sum += x; }
  let seenPrevious = 0;
  for (let e = 0; e < n; e++) {
    cache[next[e]] += dots[e] / sum;
    if (previousOf[e] === previous) { bigram[next[e]]++; seenPrevious++; }
  }
  for (const c of configs) {
    const lc = n === 0 ? 0 : lambdaC;
    const lb = seenPrevious === 0 ? 0 : (c.lambdaB * seenPrevious) / (seenPrevious + c.k);
    for (let w = 0; w < V; w++) mix[w] = (1 - lc - lb) * p[w] + lc * cache[w] + (seenPrevious === 0 ? 0 : (lb * bigram[w]) / seenPrevious);
    const pt = mix[target];
    c.nll -= Math.log(pt);
    let above = 0;
    for (let w = 0; w < V && above < 5; w++) if (mix[w] > pt) above++;
    if (above < 5) c.top5++;
  }
  const slot = count % W; states.set(top, slot * H); next[slot] = target; previousOf[slot] = previous; count++;
  previous = target;
  out = adaptive.step(target);
}
const N = tokens.length;
for (const c of configs) console.log(`λc ${lambdaC} λb ${c.lambdaB} k ${c.k}: ppl ${Math.exp(c.nll / N).toFixed(2)} top5 ${(100 * c.top5 / N).toFixed(2)}%`);
