// Scores adaptive sessions (the library's AdaptiveSession: cache, dynamic evaluation or both)
// on the first N tokens of a token file, for settings chosen on validation (issue 14).
//   node_modules/.bin/deno run -A bench/adaptation/tune-adaptation.ts models/brown-lstm.q8.msgpack data/brown/valid.txt 10000 CONFIG…
// CONFIG = segment:learningRate:decay:parameters:cache, cache = none or kind/size/theta/lambda,
// learningRate 0 = no dynamic evaluation; e.g. 20:1:0.01:all:continuous/1000/0.6/0.15.
// 2026-12-05, validation tokens 0–10,000 (static 177.75, top-5 39.04%):
//   20:0:0:all:continuous/1000/0.6/0.2 133.88 / 40.94%   20:1:0.001:all:none 147.85 / 40.51%
//   20:1:0.001:all:continuous/1000/0.6/0.2 128.94 / 41.33%   20:1:0.01:all:continuous/1000/0.6/0.15 127.38 / 41.52% (chosen)
//   20:1:0.01:all:continuous/1000/0.6/0.2 127.62 / 41.53%   20:2:0.02:all:continuous/1000/0.6/0.15 129.54 / 41.82%
//   20:0.5:0.001:all:… 128.60   20:2:0.01 129.56   20:1.5:0.02:…/0.8/0.2 128.86   10:1:0.01:…/1.0/0.25 133.03
//   20:3:0.001:recurrent:continuous/1000/0.6/0.15 130.87 / 41.07%; on 5,000 tokens without cache:
//   all lr 1 137.01, recurrent lr 3 145.80, biases lr 1 158.85.
// 2026-12-06, the shipped 350-wide model (epoch 15, q8), the same 10,000 tokens: the defaults
//   20:1:0.01:all:continuous/1000/0.6/0.15 120.61 / 42.45% stay the best of: 20:2:0.02 123.87 / 42.23%,
//   W 2000 120.42 / 42.37%, θ 0.8 122.17 / 42.24%, learning rate 1.5 121.99 / 42.24%, λ 0.1 121.27 / 42.30%.
// 2026-12-06, same tokens, variants tried in throwaway scripts (not kept): segment 10 at learning rate
//   1 / decay 0.01 123.17 / 42.32%, at 0.6 / 0.005 120.79 / 42.25%; Krause's RMS update with the global
//   prior (mean-square gradients from 10,000 training tokens, step η·g/(√MS + ε)) at best 120.61 / 42.52%;
//   on validation tokens 10,000–40,000 with dynamic evaluation on, a cache λ gated by the cache's
//   similarity, the model's top log-probability and entropy took the mixture from 145.21 to 144.56, a
//   bigram and a unigram cache as third and fourth components to 144.32: none worth its cost.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../../src/format/decode-model.ts';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';
import { formatScore, scoreSession } from './score-session.ts';

// args: model tokens limit config...; config = seg:lr:decay:params:cache(kind/size/theta/lambda or none)
const [modelPath, tokenPath, limitText, ...grid] = process.argv.slice(2);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
const vocab = model.vocabulary!;
const index = new Map(vocab.map((t, i) => [t, i]));
const lines = readFileSync(tokenPath, 'utf8').split('\n').filter((l) => l.length > 0);
const tokens = lines.slice(0, Number(limitText)).map((t) => index.get(t) ?? 0);
for (const config of grid) {
  const [seg, lr, decay, params, cacheText] = config.split(':');
  const cache = cacheText === 'none' ? false as const : (() => { const [kind, size, theta, lambda] = cacheText.split('/'); return { kind: kind as 'continuous', size: +size, theta: +theta, lambda: +lambda }; })();
  const dynamic = +lr > 0 ? dynamicEvaluation(model, { segment: +seg, learningRate: +lr, decay: +decay, parameters: params as 'all' }) : null;
  const session = new AdaptiveSession(model, { cache, dynamic });
  const score = scoreSession(session, tokens, index.get('<p>')!);
  console.log(`${config}: ${formatScore(score)} ${score.microsecondsPerToken.toFixed(0)} us/token`);
}
