// Perplexity of one language model stored as f32, f16, q8 (per row, and
// blocks of 32) and q4 (blocks of 32), on the same tokens: the measurement behind the model-file
// issue's accuracy bar (q8 at most +1% relative, f16 at most +0.1%).
//
// Run: node_modules/.bin/bun bench/quantization-accuracy.ts MODEL TOKENS [--limit N]
//   MODEL   any model file with an embedding input and a softmax head
//   TOKENS  either token ids (whitespace-separated integers), or text, which
//           is tokenized with the model's own tokenizer and vocabulary
//   --limit N  use the first N tokens only (default: all)
//   --backend auto|wasm|typescript   the step kernels (default auto, as users get)
//   --q8-mode integer|float          the WebAssembly int8 kernel's mode (default integer)
//
// The f32 reference is the file's model widened to f32 (for a q8 file, its
// dequantized weights); every variant steps through the same tokens with the
// state carried from a zero start, and scores token t+1 given tokens 0..t.
import { readFileSync } from 'node:fs';
import { loadModel, logSumExp, quantizeModel, tokenizerOf, type Model } from '../src/index.ts';
import { kernelBackend, q8KernelMode, setKernelBackend, setQ8KernelMode } from '../src/math/wasm/kernel-backend.ts';

const args = process.argv.slice(2);
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args.splice(limitAt, 2)[1]) : Infinity;
const backendAt = args.indexOf('--backend');
if (backendAt >= 0) setKernelBackend(args.splice(backendAt, 2)[1] as 'auto' | 'wasm' | 'typescript');
const modeAt = args.indexOf('--q8-mode');
if (modeAt >= 0) setQ8KernelMode(args.splice(modeAt, 2)[1] as 'integer' | 'float');
if (args.length !== 2) {
  console.error('usage: quantization-accuracy MODEL TOKENS [--limit N] [--backend auto|wasm|typescript] [--q8-mode integer|float]');
  process.exit(2);
}
const [modelPath, tokensPath] = args;
const source = await loadModel(modelPath);
const a = source.architecture;
if (a.input !== 'embedding' || a.head !== 'softmax') throw new Error(`${modelPath} is not a language model (embedding input, softmax head)`);

const text = readFileSync(tokensPath, 'utf8');
let tokens: number[];
if (/^[\s\d]*$/.test(text)) {
  tokens = text.split(/\s+/).filter(Boolean).map(Number);
} else {
  const tokenizer = tokenizerOf(source);
  if (tokenizer === null) throw new Error(`${tokensPath} is text, but ${modelPath} has no tokenizer and vocabulary`);
  tokens = tokenizer.encode(text);
}
tokens = tokens.slice(0, Number.isFinite(limit) ? limit + 1 : undefined);
for (const t of tokens) if (!(Number.isInteger(t) && t >= 0 && t < a.vocabSize)) throw new Error(`token id ${t} is outside the vocabulary [0, ${a.vocabSize})`);

const variants: [string, Model][] = [
  ['f32', quantizeModel(source, { dtype: 'f32' })],
  ['f16', quantizeModel(source, { dtype: 'f16' })],
  ['q8 (per row)', quantizeModel(source, { dtype: 'q8' })],
  ['q8 (blocks of 32)', quantizeModel(source, { dtype: 'q8', blockSize: 32 })],
  ['q4 (blocks of 32)', quantizeModel(source, { dtype: 'q4' })],
];
const sessions = variants.map(([, model]) => model.session());
const nll = new Float64Array(variants.length);
const start = performance.now();
for (let t = 0; t + 1 < tokens.length; t++) {
  for (let v = 0; v < variants.length; v++) {
    const logits = sessions[v].step(tokens[t]);
    nll[v] += logSumExp(logits) - logits[tokens[t + 1]];
  }
}
const scored = tokens.length - 1;
const seconds = (performance.now() - start) / 1000;
const perplexity = Array.from(nll, (sum) => Math.exp(sum / scored));

console.log(`${modelPath}: ${a.cell}, ${a.numLayers} layer(s), hidden ${a.hiddenSize}, vocabulary ${a.vocabSize}; ${scored} tokens of ${tokensPath} scored (${seconds.toFixed(0)} s); kernels: ${kernelBackend()}${kernelBackend() === 'wasm' ? `, q8 mode ${q8KernelMode()}` : ''}\n`);
console.log('| storage | perplexity | change vs f32 |');
console.log('|---|---|---|');
variants.forEach(([name], v) => {
  const change = perplexity[v] / perplexity[0] - 1;
  console.log(`| ${name} | ${perplexity[v].toFixed(3)} | ${v === 0 ? '—' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(3)}%`} |`);
});
