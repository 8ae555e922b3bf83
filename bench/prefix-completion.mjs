// Completing the word being typed (issue 15, item 2): what one keystroke
// costs when the suggestions are the best next words that start with the
// typed prefix, through TextTracker (the prefix index: the tokens with that
// prefix are one range of the vocabulary sorted once) against a scan of the
// whole vocabulary per keystroke (startsWith on every token, then the top
// five of those), in the same process and rounds, on the shipped model.
// Both give the same words (checked). Medians of ROUNDS rounds.
//   npm run build && node bench/prefix-completion.mjs [ROUNDS]
import { loadModel, logSumExp, TextTracker } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 21);
const model = await loadModel(new URL('../models/brown-lstm.q8.msgpack', import.meta.url).pathname);
const vocabulary = model.vocabulary;
const tracker = new TextTracker(model.session());
const excluded = new Set([vocabulary.indexOf('<unk>'), vocabulary.indexOf('<p>')]);
const context = 'The jury said it was a ';
// Prefixes as a writer types them: each word's first one to four letters.
const words = ['great', 'small', 'thing', 'pleasure', 'matter', 'good', 'problem', 'very', 'new', 'serious'];
const prefixes = words.flatMap((word) => [1, 2, 3, 4].map((n) => word.slice(0, n)));

// The context's steps happen once; a keystroke inside a word steps nothing.
tracker.update(context);
const reference = model.session();
let referenceLogits = null;
for (const token of ['<p>', 'The', 'jury', 'said', 'it', 'was', 'a']) referenceLogits = reference.step(vocabulary.indexOf(token));
const normalizer = logSumExp(referenceLogits);

function scanWholeVocabulary(prefix, k) {
  const best = [];
  for (let id = 0; id < vocabulary.length; id++) {
    if (excluded.has(id) || !vocabulary[id].startsWith(prefix)) continue;
    let at = best.length;
    while (at > 0 && referenceLogits[id] > referenceLogits[best[at - 1]]) at--;
    if (at >= k) continue;
    best.splice(at, 0, id);
    if (best.length > k) best.pop();
  }
  return best.map((id) => ({ token: vocabulary[id], probability: Math.exp(referenceLogits[id] - normalizer) }));
}

for (const prefix of prefixes) {
  const indexed = tracker.suggestFor(context + prefix, 5).map((s) => s.token);
  const scanned = scanWholeVocabulary(prefix, 5).map((s) => s.token);
  if (indexed.join(' ') !== scanned.join(' ')) throw new Error(`prefix ${prefix}: index gives ${indexed}, scan gives ${scanned}`);
}

const time = (fn) => {
  const started = performance.now();
  for (const prefix of prefixes) fn(prefix);
  return ((performance.now() - started) * 1000) / prefixes.length;
};
const indexedTimes = [];
const scanTimes = [];
for (let r = 0; r < rounds + 3; r++) {
  const a = time((prefix) => tracker.suggestFor(context + prefix, 5));
  const b = time((prefix) => scanWholeVocabulary(prefix, 5));
  if (r >= 3) {
    indexedTimes.push(a);
    scanTimes.push(b);
  }
}
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const indexed = median(indexedTimes);
const scan = median(scanTimes);
console.log(`vocabulary ${vocabulary.length} tokens; ${prefixes.length} prefixes of 1–4 letters; medians of ${rounds} rounds`);
console.log(`TextTracker.suggestFor (prefix index): ${indexed.toFixed(1)} µs per keystroke`);
console.log(`scan of the whole vocabulary:          ${scan.toFixed(1)} µs per keystroke (${(scan / indexed).toFixed(1)}× the indexed one)`);
