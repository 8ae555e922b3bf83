// Chooses the cache's W, θ and λ on the Brown validation split (issue 14): the
// perplexity of the continuous-cache mixture for a grid of settings at once
// (one step and one normalizer per token; the dot products once for the largest W;
// the mixture written out here, independently of src/adapt).
//   node dist/cli.js prepare-brown
//   node_modules/.bin/deno run -A bench/adaptation/tune-cache.ts models/brown-lstm.q8.msgpack data/brown/valid.txt 0 40000
// 2026-12-05: first with W 500…8000, θ 0…0.6, λ 0.05…0.25 (θ 0.6 best, the grid's edge), then the grid below:
// best 150.75 (W 1500, θ 0.8, λ 0.2), 151.05 (W 1000, θ 0.6, λ 0.2); static 197.78; unigram best 170.92.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../../src/format/decode-model.ts';
import { logSumExp } from '../../src/math/softmax.ts';
// Perplexity of the continuous/unigram cache mixture for many (W, θ, λ) at once:
// one step and one normalizer per token, the dot products once for the largest W.
const [modelPath, tokenPath, startText, limitText] = process.argv.slice(2);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
const index = new Map(model.vocabulary!.map((t, i) => [t, i]));
const lines = readFileSync(tokenPath, 'utf8').split('\n').filter((l) => l.length > 0);
const tokens = lines.slice(Number(startText), Number(startText) + Number(limitText)).map((t) => index.get(t) ?? 0);
const H = model.architecture.hiddenSize, V = model.architecture.outputSize;
const Ws = [700, 1000, 1500], thetas = [0, 0.5, 0.6, 0.8, 1.0, 1.3], lambdas = [0.08, 0.1, 0.15, 0.2, 0.25, 0.3];
const Wmax = Ws[Ws.length - 1];
const states = new Float32Array(Wmax * H), next = new Int32Array(Wmax);
let count = 0;
const nll = new Float64Array(Ws.length * thetas.length * lambdas.length);
let staticNll = 0;
const session = model.session();
const top = session.h.subarray((model.architecture.numLayers - 1) * H);
let out = session.step(index.get('<p>')!);
const dots = new Float64Array(Wmax);
for (let t = 0; t < tokens.length; t++) {
  const target = tokens[t];
  const pModel = Math.exp(out[target] - logSumExp(out, V));
  staticNll -= Math.log(pModel);
  // entries newest first: e = 0 is the most recent
  const n = Math.min(count, Wmax);
  for (let e = 0; e < n; e++) {
    const slot = (count - 1 - e) % Wmax;
    let d = 0; for (let j = 0; j < H; j++) d += top[j] * states[slot * H + j];
    dots[e] = d;
  }
  let k = 0;
  for (const W of Ws) {
    const m = Math.min(n, W);
    for (const theta of thetas) {
      let max = -Infinity; for (let e = 0; e < m; e++) max = Math.max(max, theta * dots[e]);
      let sum = 0, hit = 0;
      for (let e = 0; e < m; e++) { const w = Math.exp(theta * dots[e] - max); sum += w; if (next[(count - 1 - e) % Wmax] === target) hit += w; }
      const pCache = m === 0 ? 0 : hit / sum;
      for (const lambda of lambdas) { const l = m === 0 ? 0 : lambda; nll[k++] -= Math.log((1 - l) * pModel + l * pCache); }
    }
  }
  const slot = count % Wmax; states.set(top, slot * H); next[slot] = target; count++;
  out = session.step(target);
}
const N = tokens.length;
console.log(`static ${Math.exp(staticNll / N).toFixed(2)} over ${N} tokens from ${startText}`);
const rows: [number, string][] = []; let k = 0;
for (const W of Ws) for (const theta of thetas) for (const lambda of lambdas) rows.push([Math.exp(nll[k++] / N), `W=${W} theta=${theta} lambda=${lambda}`]);
rows.sort((a, b) => a[0] - b[0]);
for (const [p, name] of rows.slice(0, 25)) console.log(p.toFixed(2), name);
for (const [p, name] of rows.filter(([, n]) => n.includes('theta=0 ')).slice(0, 5)) console.log('unigram', p.toFixed(2), name);
