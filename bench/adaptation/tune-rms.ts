// Prototype: dynamic evaluation with Krause et al.'s "RMS with a global prior" (the update divided
// by the root mean squared gradient measured on training segments, the decay scaled by it), on the
// first N validation tokens, beside SGD. Not the library's code path: it replaces the update of a
// DynamicEvaluation for the measurement.
//   node_modules/.bin/deno run -A bench/adaptation/tune-rms.ts MODEL TRAIN VALID TRAIN_TOKENS VALID_TOKENS PRIOR_FILE CONFIG…
// CONFIG = segment:learningRate:decay:epsilon:cache[:rows], epsilon a share of the mean root mean square,, cache = none or continuous/size/theta/lambda;
// rows = per-row prior (the mean of a row's squared gradients) instead of per weight.
// 2026-12-05, prior from the first 20,000 training tokens, validation tokens 0–10,000, continuous
// cache 1000/0.6/0.15 (SGD 20:1:0.01 there: 127.38 / 41.52%):
//   20:0.0003:0.01:0.1 151.68 / 40.06%   20:0.0001:0.01:0.1 129.25 / 41.23%   20:0.00003:0.01:0.1 131.07 / 41.06%
//   20:0.0001:0.01:1 132.01 / 41.01%   20:0.00003:0.003:1 133.51 / 41.02%   20:0.001:0.01:0.1 diverges (NaN)
// Neither perplexity nor top-5 beat SGD here; the library keeps SGD.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../../src/format/decode-model.ts';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';
import { formatScore, scoreSession } from './score-session.ts';
import { hiddenSizeOf, hiddenOffsetOf, hiddenStateSize, cellStateOffsetOf } from '../../src/model/architecture.ts';

const [modelPath, trainPath, validPath, trainLimit, validLimit, priorPath, ...grid] = process.argv.slice(2);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
const vocab = model.vocabulary!;
const index = new Map(vocab.map((t, i) => [t, i]));
const readTokens = (path: string, limit: number) => readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).slice(0, limit).map((t) => index.get(t) ?? 0);
const a = model.architecture;

type Tensor = { name: string; shape: [number, number]; value: Float32Array; gradient: Float32Array; original: Float32Array };
// deno-lint-ignore no-explicit-any
const internals = (dyn: any) => dyn as { adaptedTensors(): Tensor[]; graphFor(): any; trainable: any; segmentTokens: Int32Array; inputs: Int32Array; targets: Int32Array; startState: Float32Array; refreshKernels(): void; updates: number; options: { segment: number } };

// deno-lint-ignore no-explicit-any
function gradientOfSegment(d: ReturnType<typeof internals>): Tensor[] {
  const T = d.options.segment;
  const graph = d.graphFor();
  for (let t = 0; t < T; t++) { d.inputs[t] = d.segmentTokens[t]; d.targets[t] = d.segmentTokens[t + 1]; }
  const cStart = hiddenStateSize(a);
  // deno-lint-ignore no-explicit-any
  graph.layers.forEach((layer: any, l: number) => {
    const H = hiddenSizeOf(a, l); const at = hiddenOffsetOf(a, l);
    layer.h.set(d.startState.subarray(at, at + H));
    if (layer.c.length > 0) { const cAt = cStart + cellStateOffsetOf(a, l); layer.c.set(d.startState.subarray(cAt, cAt + H)); }
  });
  d.trainable.zeroGradients();
  graph.forward(d.inputs, d.targets, T, null);
  graph.backward();
  return d.adaptedTensors();
}

const segmentOf = (config: string) => Number(config.split(':')[0]);
// The prior: mean squared gradient per weight over training segments (no weight change).
function measurePrior(T: number): Float32Array[] {
  const file = `${priorPath}.T${T}`;
  const dyn = dynamicEvaluation(model, { segment: T, learningRate: 0, decay: 0, parameters: 'all' });
  const d = internals(dyn);
  const tensors = d.adaptedTensors();
  if (existsSync(file)) {
    const bytes = readFileSync(file); let at = 0;
    return tensors.map((t) => { const v = new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + 4 * t.value.length)); at += 4 * t.value.length; return v; });
  }
  const sums = tensors.map((t) => new Float32Array(t.value.length));
  let count = 0;
  // deno-lint-ignore no-explicit-any
  (dyn as any).update = () => {
    const ts = gradientOfSegment(d);
    ts.forEach((t, k) => { const s = sums[k], g = t.gradient; for (let i = 0; i < g.length; i++) s[i] += g[i] * g[i]; });
    count++;
  };
  const session = new AdaptiveSession(model, { cache: false, dynamic: dyn });
  const tokens = readTokens(trainPath, Number(trainLimit));
  session.step(index.get('<p>')!);
  for (const token of tokens) session.step(token);
  for (const s of sums) for (let i = 0; i < s.length; i++) s[i] /= count;
  writeFileSync(file, Buffer.concat(sums.map((s) => new Uint8Array(s.buffer))));
  return sums;
}

const tokens = readTokens(validPath, Number(validLimit));
const priors = new Map<number, Float32Array[]>();
for (const config of grid) {
  const [seg, lr, decay, epsilonShare, cacheText, rows] = config.split(':');
  const T = +seg;
  if (!priors.has(T)) priors.set(T, measurePrior(T));
  const prior = priors.get(T)!;
  const cache = cacheText === 'none' ? false as const : (() => { const [kind, size, theta, lambda] = cacheText.split('/'); return { kind: kind as 'continuous', size: +size, theta: +theta, lambda: +lambda }; })();
  const dyn = dynamicEvaluation(model, { segment: T, learningRate: +lr, decay: +decay, parameters: 'all' });
  const d = internals(dyn);
  const tensors = d.adaptedTensors();
  // rms per weight (or per row), and the decay scaled by rms / mean(rms), clipped to 1.
  const rms = prior.map((p, k) => {
    const r = new Float32Array(p.length);
    const cols = tensors[k].shape[1];
    if (rows === 'rows') {
      for (let row = 0; row < p.length / cols; row++) { let s = 0; for (let j = 0; j < cols; j++) s += p[row * cols + j]; const v = Math.sqrt(s / cols); r.fill(v, row * cols, (row + 1) * cols); }
    } else for (let i = 0; i < p.length; i++) r[i] = Math.sqrt(p[i]);
    return r;
  });
  let total = 0, n = 0; for (const r of rms) { for (let i = 0; i < r.length; i++) total += r[i]; n += r.length; }
  const meanRms = total / n;
  const epsilon = +epsilonShare * meanRms;
  // deno-lint-ignore no-explicit-any
  const learningRate = +lr, decayRate = +decay / meanRms;
  (dyn as any).update = () => {
    const ts = gradientOfSegment(d);
    ts.forEach((t, k) => {
      const r = rms[k], { value, gradient, original } = t;
      for (let i = 0; i < value.length; i++) {
        const decayI = Math.min(1, decayRate * r[i]);
        value[i] += decayI * (original[i] - value[i]) - learningRate * gradient[i] / (r[i] + epsilon);
      }
    });
    d.refreshKernels();
    d.updates++;
  };
  const session = new AdaptiveSession(model, { cache, dynamic: dyn });
  const score = scoreSession(session, tokens, index.get('<p>')!);
  console.log(`${config}: ${formatScore(score)} ${score.microsecondsPerToken.toFixed(0)} us/token (mean rms ${meanRms.toExponential(2)})`);
}
