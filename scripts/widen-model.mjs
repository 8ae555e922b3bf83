// Widens a one-layer tied LSTM language model (E = H) to a larger H' without changing what it
// computes (Net2Net-style), so training can go on from the smaller model's weights instead of
// from random ones:
//   - the embedding (tied to the output layer) gets H' − H new columns of zeros, so the new units'
//     h reach the logits only through weights that start at zero;
//   - each old unit's gate rows keep their weights and get zeros for the new inputs (new embedding
//     columns and new units' h), so the old units step exactly as before;
//   - the new units' gate rows and biases are drawn uniform in ±1/√H' (the trainer's own initial
//     range), so they start active and different from each other.
// The widened f32 model's logits equal the original's to f32 rounding (checked here on 50 tokens).
//   npm run build && node scripts/widen-model.mjs IN.f32.msgpack OUT.f32.msgpack H' [SEED]
import { readFileSync } from 'node:fs';
import { createCell, decodeModel, F32Matrix, Model, saveModel, SeededRandom } from '../dist/index.js';

const [input, output, widthText, seedText = '1'] = process.argv.slice(2);
const wide = Number(widthText);
if (input === undefined || output === undefined || !Number.isInteger(wide)) {
  console.error("usage: node scripts/widen-model.mjs IN.f32.msgpack OUT.f32.msgpack H' [SEED]");
  process.exit(2);
}
const model = decodeModel(new Uint8Array(readFileSync(input)));
const a = model.architecture;
const H = a.hiddenSize;
const embedding = model.embedding;
if (a.numLayers !== 1 || a.cell !== 'lstm' || embedding === null || model.head?.weight !== embedding || embedding.cols !== H || !(embedding.data instanceof Float32Array)) {
  throw new Error(`${input}: expected an f32 one-layer LSTM with its embedding (E = H) tied to the output layer`);
}
if (!(wide > H)) throw new Error(`H' (${wide}) must be larger than H (${H})`);
const V = embedding.rows;
const random = new SeededRandom(Number(seedText));
const bound = 1 / Math.sqrt(wide);

const table = new Float32Array(V * wide);
for (let v = 0; v < V; v++) table.set(embedding.data.subarray(v * H, (v + 1) * H), v * wide);
const tied = new F32Matrix(V, wide, table);

const layer = model.layers[0];
const old = layer.weight.data;
const weight = new Float32Array(4 * wide * 2 * wide);
const bias = new Float32Array(4 * wide);
for (let gate = 0; gate < 4; gate++) {
  for (let j = 0; j < wide; j++) {
    const row = (gate * wide + j) * 2 * wide;
    if (j < H) {
      const oldRow = (gate * H + j) * 2 * H;
      weight.set(old.subarray(oldRow, oldRow + H), row); // from the old embedding columns
      weight.set(old.subarray(oldRow + H, oldRow + 2 * H), row + wide); // from the old units' h
      bias[gate * wide + j] = layer.bias[gate * H + j];
    } else {
      for (let c = 0; c < 2 * wide; c++) weight[row + c] = random.uniform(-bound, bound);
      bias[gate * wide + j] = random.uniform(-bound, bound);
    }
  }
}
const widened = new Model({
  embedding: tied,
  layers: [createCell('lstm', wide, wide, new F32Matrix(4 * wide, 2 * wide, weight), bias)],
  head: { kind: 'softmax', weight: tied, bias: model.head.bias },
  vocabulary: model.vocabulary,
  tokenizer: model.tokenizer,
  metadata: { ...model.metadata, widenedFrom: { file: input.split('/').pop(), hiddenSize: H, seed: Number(seedText) } },
});

// The check: 50 tokens through both, the logits alike.
const a1 = model.session();
const b1 = widened.session();
let worst = 0;
for (let t = 0; t < 50; t++) {
  const token = (t * 7919) % V;
  const x = a1.step(token);
  const y = b1.step(token);
  for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
}
if (!(worst < 1e-3)) throw new Error(`the widened model's logits differ from the original's by ${worst}`);
await saveModel(output, widened, { dtype: 'f32' });
console.log(`wrote ${output}: H ${H} → ${wide}, ${widened.parameterCount ?? ''} parameters; logits differ by at most ${worst.toExponential(2)} over 50 tokens`);
