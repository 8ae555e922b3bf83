// Prototype: the continuous cache's λ set per step by the cache's own evidence instead of fixed:
// λ_t = λmax·σ(β·(log M_t − log κ)), M_t = Σ_i exp(θ·h_t·h_i) the unnormalised attention mass
// (strong matches → more weight). Replaces ContinuousCache.prototype.mixInPlace for the measurement.
//   node_modules/.bin/deno run -A bench/adaptation/tune-cache-evidence.ts MODEL VALID TOKENS CONFIG…
// CONFIG = size/theta/lambdaMax/logKappa/beta[:segment:learningRate:decay] (no dynamic evaluation
// without the second part); logKappa "fixed" keeps λ = lambdaMax.
// 2026-12-05, shipped model, validation tokens 0–10,000, cache alone (log M: 7.7 / 8.4 / 10.1 at its
// 10th / 50th / 90th percentiles); fixed λ 0.2 (1000/0.6/0.2/fixed/1): 133.88 / 40.94%;
//   0.3/8.5/1 133.86 / 40.80%   0.3/9.5/1 137.18 / 40.69%   0.5/9.5/1 134.44 / 40.69%   0.5/10.5/1 138.95 / 40.60%
//   0.3/9/2 137.40 / 40.65%   0.5/10/2 144.40 / 40.39%   0.4/9.5/1.5 137.68 / 40.59%
// The attention mass is no signal of when the cache is right: every setting is worse than fixed λ.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../../src/format/decode-model.ts';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { ContinuousCache } from '../../src/adapt/continuous-cache.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';
import { formatScore, scoreSession } from './score-session.ts';
import { logSumExp } from '../../src/math/softmax.ts';
import { matVecInto } from '../../src/math/matvec.ts';

const [modelPath, tokenPath, limitText, ...grid] = process.argv.slice(2);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
const index = new Map(model.vocabulary!.map((t, i) => [t, i]));
const tokens = readFileSync(tokenPath, 'utf8').split('\n').filter((l) => l.length > 0).slice(0, Number(limitText)).map((t) => index.get(t) ?? 0);
const V = model.architecture.outputSize;

let lambdaMax = 0.15, logKappa = 0, beta = 1, fixed = true;
const logMasses: number[] = [];
// deno-lint-ignore no-explicit-any
const proto = ContinuousCache.prototype as any;
proto.mixInPlace = function (this: any, logits: Float32Array, h: Float32Array): Float32Array {
  const n = this.count;
  const lse = logSumExp(logits, V);
  if (n === 0) { this.logNormalizer = lse; return logits; }
  const weights: Float32Array = this.weights;
  if (this.kernel !== null) this.kernel.multiplyRowsInto(weights, h, n);
  else matVecInto(weights, this.states, n, this.hiddenSize, h, 0, null);
  let max = -Infinity;
  for (let i = 0; i < n; i++) { weights[i] *= this.theta; if (weights[i] > max) max = weights[i]; }
  let sum = 0;
  for (let i = 0; i < n; i++) { weights[i] = Math.exp(weights[i] - max); sum += weights[i]; }
  for (let i = 0; i < n; i++) weights[i] /= sum;
  const logMass = max + Math.log(sum);
  logMasses.push(logMass);
  const lambda = fixed ? lambdaMax : lambdaMax / (1 + Math.exp(-beta * (logMass - logKappa)));
  const mass: Float32Array = this.mass, ids: Int32Array = this.tokens;
  for (let i = 0; i < n; i++) mass[ids[i]] += weights[i];
  const logScale = Math.log(lambda / (1 - lambda)) + lse;
  for (let i = 0; i < n; i++) {
    const w = ids[i]; const m = mass[w];
    if (m === 0) continue;
    mass[w] = 0;
    const logit = logits[w]; const added = Math.log(m) + logScale;
    logits[w] = logit > added ? logit + Math.log1p(Math.exp(added - logit)) : added + Math.log1p(Math.exp(logit - added));
  }
  this.logNormalizer = lse - Math.log1p(-lambda);
  return logits;
};

for (const config of grid) {
  const [cacheText, seg, lr, decay] = config.split(':');
  const [size, theta, lmax, kappa, b] = cacheText.split('/');
  lambdaMax = +lmax; fixed = kappa === 'fixed'; logKappa = fixed ? 0 : +kappa; beta = +b;
  logMasses.length = 0;
  const dynamic = seg === undefined ? null : dynamicEvaluation(model, { segment: +seg, learningRate: +lr, decay: +decay, parameters: 'all' });
  const session = new AdaptiveSession(model, { cache: { kind: 'continuous', size: +size, theta: +theta, lambda: 0.5 }, dynamic });
  const score = scoreSession(session, tokens, index.get('<p>')!);
  const sorted = [...logMasses].sort((x, y) => x - y);
  const q = (p: number) => sorted[Math.floor(p * (sorted.length - 1))].toFixed(1);
  console.log(`${config}: ${formatScore(score)}  (log M quantiles 10/50/90%: ${q(0.1)} ${q(0.5)} ${q(0.9)})`);
}
