// Perplexity and top-5 of the cache mixture alone for a few θ and λ (W 1000) on validation (issue 14):
//   node_modules/.bin/deno run -A bench/adaptation/tune-cache-top5.ts models/brown-lstm.q8.msgpack data/brown/valid.txt 0 10000
// 2026-12-05 (static top-5 39.04%): θ 0.6 λ 0.2 133.88 / 40.92%; θ 1 λ 0.2 135.36 / 41.34% (top-5's best); θ 1.5 worse.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../../src/format/decode-model.ts';
import { logSumExp } from '../../src/math/softmax.ts';
// Perplexity and top-5 of cache mixtures (no dynamic evaluation) for a few (W, θ, λ).
const [modelPath, tokenPath, startText, limitText] = process.argv.slice(2);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
const index = new Map(model.vocabulary!.map((t, i) => [t, i]));
const lines = readFileSync(tokenPath, 'utf8').split('\n').filter((l) => l.length > 0);
const tokens = lines.slice(Number(startText), Number(startText) + Number(limitText)).map((t) => index.get(t) ?? 0);
const H = model.architecture.hiddenSize, V = model.architecture.outputSize;
const W = 1000, thetas = [0.6, 1.0, 1.5], lambdas = [0.15, 0.2, 0.3, 0.4];
const states = new Float32Array(W * H), next = new Int32Array(W);
let count = 0;
const configs = thetas.flatMap((theta) => lambdas.map((lambda) => ({ theta, lambda, nll: 0, top5: 0 })));
let staticTop5 = 0;
const session = model.session();
const top = session.h.subarray((model.architecture.numLayers - 1) * H);
let out = session.step(index.get('<p>')!);
const p = new Float64Array(V), sorted = new Float64Array(V), dots = new Float64Array(W), weight = new Float64Array(W);
const pc = new Map<number, number>();
for (let t = 0; t < tokens.length; t++) {
  const target = tokens[t];
  const lse = logSumExp(out, V);
  for (let w = 0; w < V; w++) p[w] = Math.exp(out[w] - lse);
  sorted.set(p); sorted.sort(); // ascending
  const above = (x: number) => { let lo = 0, hi = V; while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] > x) hi = mid; else lo = mid + 1; } return V - lo; };
  if (above(p[target]) < 5) staticTop5++;
  const n = Math.min(count, W);
  for (let e = 0; e < n; e++) { let d = 0; for (let j = 0; j < H; j++) d += top[j] * states[e * H + j]; dots[e] = d; }
  for (const c of configs) {
    pc.clear();
    if (n > 0) {
      let max = -Infinity; for (let e = 0; e < n; e++) max = Math.max(max, c.theta * dots[e]);
      let sum = 0; for (let e = 0; e < n; e++) { weight[e] = Math.exp(c.theta * dots[e] - max); sum += weight[e]; }
      for (let e = 0; e < n; e++) pc.set(next[e], (pc.get(next[e]) ?? 0) + weight[e] / sum);
    }
    const l = n === 0 ? 0 : c.lambda;
    const mix = (w: number) => (1 - l) * p[w] + l * (pc.get(w) ?? 0);
    const pt = mix(target);
    c.nll -= Math.log(pt);
    // words above the target: non-cache words with (1−λ)p > pt, plus cache words with mix > pt
    let rank = above(pt / (1 - l));
    for (const [w] of pc) { const nonCacheAbove = (1 - l) * p[w] > pt; const mixAbove = mix(w) > pt && w !== target; rank += (mixAbove ? 1 : 0) - (nonCacheAbove ? 1 : 0); }
    if (rank < 5) c.top5++;
  }
  const slot = count % W; states.set(top, slot * H); next[slot] = target; count++;
  out = session.step(target);
}
const N = tokens.length;
console.log(`static top5 ${(100 * staticTop5 / N).toFixed(2)}% over ${N}`);
for (const c of configs) console.log(`theta=${c.theta} lambda=${c.lambda}: ppl ${Math.exp(c.nll / N).toFixed(2)} top5 ${(100 * c.top5 / N).toFixed(2)}%`);
