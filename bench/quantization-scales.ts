// q8 with one scale per row, or one per block of 32 columns (GGML's Q8_0)?
// Measures, side by side in one process, what the choice costs in file size,
// accuracy and step time, on a language model with hidden 256 and
// vocabulary 10,000: once with PyTorch-default uniform weights, once with
// heavy-tailed weights (Student-t, 3 degrees of freedom, same spread), which
// is where per-block scales are supposed to pay off. Speed is measured on the
// TypeScript kernels directly (a session may dispatch to WebAssembly).
// Run: node_modules/.bin/bun bench/quantization-scales.ts   (or: deno run -A …)
// Options: --steps N (default 300) --repeats N (default 7)
import { createRandomModel, encodeModel, F32Matrix, logSoftmaxInto, matVecInto, Model, Q4Matrix, q4MatVecInto, Q8Matrix, q8MatVecInto, quantizeModel, SeededRandom, type WeightMatrix } from '../src/index.ts';
import { createCell } from '../src/model/build-layer.ts';

const argument = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = argument('steps', 300);
const REPEATS = argument('repeats', 7);
const architecture = { cell: 'lstm', input: 'embedding', vocabSize: 10_000, inputSize: 256, hiddenSize: 256, numLayers: 1, head: 'softmax', outputSize: 10_000 } as const;

/** The same model with every matrix redrawn from a Student-t(3) with the same standard deviation. */
function heavyTailed(model: Model, seed: number): Model {
  const random = new SeededRandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const studentT = (): number => {
    const chi = normal() ** 2 + normal() ** 2 + normal() ** 2;
    return normal() / Math.sqrt(chi / 3);
  };
  const redraw = (m: WeightMatrix): F32Matrix => {
    const values = m.toFloat32();
    let sumSquares = 0;
    for (const v of values) sumSquares += v * v;
    const spread = Math.sqrt(sumSquares / values.length) / Math.sqrt(3); // Student-t(3) has variance 3
    return new F32Matrix(m.rows, m.cols, values.map(() => studentT() * spread));
  };
  return new Model({
    embedding: redraw(model.embedding!),
    layers: model.layers.map((l) => createCell(l.kind, l.inputSize, l.hiddenSize, redraw(l.weight), l.bias)),
    head: { kind: 'softmax', weight: redraw(model.head!.weight), bias: model.head!.bias },
  });
}

/** Token stream: each next token drawn from the reference model's own prediction, so the text is "typical" for the model. */
function tokensFor(model: Model, count: number): number[] {
  const random = new SeededRandom(5);
  const session = model.session();
  const logp = new Float32Array(architecture.vocabSize);
  const tokens = [1];
  while (tokens.length < count) {
    logSoftmaxInto(logp, session.step(tokens[tokens.length - 1]));
    let u = random.next();
    let next = 0;
    for (; next < logp.length - 1; next++) {
      u -= Math.exp(logp[next]);
      if (u <= 0) break;
    }
    tokens.push(next);
  }
  return tokens;
}

/** Mean KL(reference ‖ variant) per step and the largest logit difference, over the token stream. */
function compare(reference: Model, variant: Model, tokens: number[]): { kl: number; maxLogit: number; perplexityChange: number } {
  const a = reference.session();
  const b = variant.session();
  const p = new Float32Array(architecture.vocabSize);
  const q = new Float32Array(architecture.vocabSize);
  let kl = 0;
  let maxLogit = 0;
  let nllA = 0;
  let nllB = 0;
  for (let t = 0; t + 1 < tokens.length; t++) {
    const la = a.step(tokens[t]);
    const lb = b.step(tokens[t]);
    for (let i = 0; i < la.length; i++) maxLogit = Math.max(maxLogit, Math.abs(la[i] - lb[i]));
    logSoftmaxInto(p, la);
    logSoftmaxInto(q, lb);
    for (let i = 0; i < p.length; i++) kl += Math.exp(p[i]) * (p[i] - q[i]);
    nllA -= p[tokens[t + 1]];
    nllB -= q[tokens[t + 1]];
  }
  const n = tokens.length - 1;
  return { kl: kl / n, maxLogit, perplexityChange: Math.exp((nllB - nllA) / n) - 1 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * µs per product of the TypeScript kernels themselves (not a session, which
 * may dispatch to WebAssembly): f32 matVecInto, q8 per row, q8 blocks of 32,
 * on the same matrix and vector; interleaved repeats, medians.
 */
function kernelTimes(rows: number, cols: number): Record<string, number> {
  const random = new SeededRandom(3);
  const values = Float32Array.from({ length: rows * cols }, () => random.uniform(-0.06, 0.06));
  const x = Float32Array.from({ length: cols }, () => random.uniform(-1, 1));
  const out = new Float32Array(rows);
  const row = Q8Matrix.fromFloat32(rows, cols, values);
  const block = Q8Matrix.fromFloat32(rows, cols, values, 32);
  const q4 = Q4Matrix.fromFloat32(rows, cols, values, 32);
  const kernels: Record<string, () => void> = {
    f32: () => matVecInto(out, values, rows, cols, x, 0, null),
    'q8 per row': () => q8MatVecInto(out, row.data, row.scales, rows, cols, row.blockSize, x, 0, null),
    'q8 blocks of 32': () => q8MatVecInto(out, block.data, block.scales, rows, cols, block.blockSize, x, 0, null),
    'q4 blocks of 32': () => q4MatVecInto(out, q4.data, q4.scales, rows, cols, 32, x, 0, null),
  };
  const iterations = Math.max(3, Math.round(2e7 / (rows * cols)));
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(kernels).map((k) => [k, []]));
  for (let r = 0; r < REPEATS + 1; r++) {
    for (const [name, kernel] of Object.entries(kernels)) {
      const start = performance.now();
      for (let i = 0; i < iterations; i++) kernel();
      if (r > 0) samples[name].push(((performance.now() - start) * 1000) / iterations); // repeat 0 warms the JIT up
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

const runtime = (globalThis as { Bun?: unknown; Deno?: unknown }).Bun ? 'Bun' : (globalThis as { Deno?: unknown }).Deno ? 'Deno' : 'Node';
console.log(`q8 scales per row vs per block of 32 — LM hidden 256, vocabulary 10,000; ${STEPS} steps, ${REPEATS} timed repeats, ${runtime}\n`);
const uniform = createRandomModel(architecture, { seed: 1 });
const f32Bytes = encodeModel(uniform, { dtype: 'f32' }).length;
console.log(`file size: f32 ${f32Bytes} bytes; q8 per row ${(encodeModel(uniform, { dtype: 'q8' }).length / f32Bytes).toFixed(4)}× ; q8 blocks of 32 ${(encodeModel(uniform, { dtype: 'q8', blockSize: 32 }).length / f32Bytes).toFixed(4)}× ; q4 blocks of 32 ${(encodeModel(uniform, { dtype: 'q4' }).length / f32Bytes).toFixed(4)}× ; f16 ${(encodeModel(uniform, { dtype: 'f16' }).length / f32Bytes).toFixed(4)}×\n`);

console.log('| weights | variant | mean KL per step (nats) | max |Δ logit| | perplexity change |');
console.log('|---|---|---|---|---|');
for (const [label, model] of [['uniform (PyTorch init)', uniform], ['heavy-tailed (Student-t 3)', heavyTailed(uniform, 2)]] as const) {
  const tokens = tokensFor(model, STEPS);
  for (const [variant, options] of [
    ['f16', { dtype: 'f16' }],
    ['q8 per row', { dtype: 'q8' }],
    ['q8 blocks of 32', { dtype: 'q8', blockSize: 32 }],
    ['q4 blocks of 32', { dtype: 'q4' }],
  ] as const) {
    const result = compare(model, quantizeModel(model, options), tokens);
    console.log(`| ${label} | ${variant} | ${result.kl.toExponential(2)} | ${result.maxLogit.toExponential(2)} | ${(result.perplexityChange * 100).toFixed(3)}% |`);
  }
}

console.log('\n| matrix | kernel | µs per product (median) | vs f32 |');
console.log('|---|---|---|---|');
for (const [label, rows, cols] of [['head 10,000 × 256', 10_000, 256], ['LSTM layer 1,024 × 512', 1024, 512]] as const) {
  const times = kernelTimes(rows, cols);
  for (const [name, time] of Object.entries(times)) console.log(`| ${label} | ${name} | ${time.toFixed(0)} | ${(time / times.f32).toFixed(2)}× |`);
}
