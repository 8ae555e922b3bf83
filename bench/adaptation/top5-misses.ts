// Where the shipped model's top-5 misses fall on the first 10,000 validation tokens: the share of
// all tokens that miss and were seen in the last 1,000 tokens (a cache could reach them), by rank.
//   node_modules/.bin/deno run -A bench/adaptation/top5-misses.ts [adapt]
// 2026-12-05: static top-5 39.04%, misses seen in the window 34.69%, of which ranked 6–20 13.82%;
//   misses by rank 6–10 8.24%, 11–20 8.11%, 21–50 9.33%, past 50 35.28%.
// adapt (the defaults of --adapt): 41.52%, in the window 31.73% (6–20: 15.46%); 6–10 9.52%,
//   11–20 7.99%, 21–50 10.01%, past 50 30.96%.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../../src/format/decode-model.ts';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';
const model = decodeModel(new Uint8Array(readFileSync('models/brown-lstm.q8.msgpack')));
const vocab = model.vocabulary!;
const index = new Map(vocab.map((t, i) => [t, i]));
const tokens = readFileSync('data/brown/valid.txt', 'utf8').split('\n').filter((l) => l.length > 0).slice(0, 10000).map((t) => index.get(t) ?? 0);
const V = model.architecture.outputSize;
const adapt = process.argv[2] === 'adapt';
const session = new AdaptiveSession(model, adapt ? { cache: { kind: 'continuous', size: 1000, theta: 0.6, lambda: 0.15 }, dynamic: dynamicEvaluation(model, {}) } : { cache: false, dynamic: null });
let out = session.step(index.get('<p>')!);
const lastSeen = new Map<number, number>();
let hits = 0; const missBuckets = { inWindow: 0, rank6to10: 0, rank11to20: 0, rank21to50: 0, rankOver50: 0, unk: 0, inWindowRank6to20: 0 };
for (let t = 0; t < tokens.length; t++) {
  const target = tokens[t]; const lt = out[target];
  let above = 0; for (let i = 0; i < V; i++) if (out[i] > lt) above++;
  if (above < 5) hits++;
  else {
    const seen = lastSeen.has(target) && t - lastSeen.get(target)! <= 1000;
    if (seen) missBuckets.inWindow++;
    if (target === index.get('<unk>')) missBuckets.unk++;
    if (above < 10) missBuckets.rank6to10++; else if (above < 20) missBuckets.rank11to20++; else if (above < 50) missBuckets.rank21to50++; else missBuckets.rankOver50++;
    if (seen && above < 20) missBuckets.inWindowRank6to20++;
  }
  lastSeen.set(target, t);
  out = session.step(target);
}
console.log(adapt ? 'adapted' : 'static', 'top5', (100 * hits / tokens.length).toFixed(2), JSON.stringify(Object.fromEntries(Object.entries(missBuckets).map(([k, v]) => [k, (100 * v / tokens.length).toFixed(2) + '%']))));
