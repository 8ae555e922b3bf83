// A trained language model file works like the shipped LSTM one (issue 16, must
// show 5, for the Brown GRU of models/brown-gru.md): its own session, a stream
// with `top`, and its ONNX and TensorFlow.js exports run by ONNX Runtime and
// TensorFlow.js over the same validation tokens, each compared with our
// session's logits (largest difference printed).
//   npm run build && node bench/trained-model-check.mjs MODEL.f32.msgpack [TOKENS]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, logSumExp } from '../dist/index.js';

const root = new URL('..', import.meta.url).pathname;
const [path, countText] = process.argv.slice(2);
const count = Number(countText ?? 40);
const model = await loadModel(path);
const index = new Map(model.vocabulary.map((token, id) => [token, id]));
const tokens = readFileSync(join(root, 'data/brown/valid.txt'), 'utf8').split('\n').slice(0, count).map((t) => index.get(t) ?? 0);
const a = model.architecture;
console.log(`${path}: ${a.cell}, ${a.numLayers} layer(s), hidden ${a.hiddenSize}, vocabulary ${a.vocabSize}; ${count} validation tokens`);

const session = model.session();
const ours = tokens.map((token) => Float32Array.from(session.step(token)));
const maxDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);

// A stream of the same tokens with the top five: its best token is the argmax of our logits.
const stream = model.stream({ top: 5 });
let agree = 0;
const reading = (async () => {
  let t = 0;
  for await (const output of stream) {
    const best = ours[t].indexOf(Math.max(...ours[t]));
    if (output.top[0].id === best) agree++;
    if (++t === count) break;
  }
})();
for (const token of tokens) await stream.push(token);
await reading;
console.log(`stream with top 5: its best next word is our session's argmax on ${agree} of ${count} steps`);

const directory = mkdtempSync(join(tmpdir(), 'trained-check-'));
try {
  await checkOnnx();
  await checkTfjs();
} finally {
  rmSync(directory, { recursive: true, force: true });
}

/** `lstm-stream convert MODEL out` for an output path in the scratch directory. */
function convertTo(output) {
  execFileSync(process.execPath, [join(root, 'dist/cli.js'), 'convert', path, output], { stdio: 'ignore' });
}

/** The ONNX export run by ONNX Runtime a token at a time, its state fed back. */
async function checkOnnx() {
  const onnxPath = join(directory, 'model.onnx');
  convertTo(onnxPath);
  const ort = await import('onnxruntime-node');
  const onnx = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1 });
  const H = a.hiddenSize;
  // The state inputs (h0, and c0 for an LSTM) start at zero and are fed back from h_n (c_n).
  const states = Object.fromEntries(onnx.inputNames.slice(1).map((name) => [name, new ort.Tensor('float32', new Float32Array(a.numLayers * H), [a.numLayers, 1, H])]));
  let worst = 0;
  for (let t = 0; t < count; t++) {
    const feeds = { [onnx.inputNames[0]]: new ort.Tensor('int64', BigInt64Array.from([BigInt(tokens[t])]), [1, 1]), ...states };
    const result = await onnx.run(feeds);
    worst = Math.max(worst, maxDiff(result[onnx.outputNames[0]].data, ours[t]));
    for (const name of Object.keys(states)) states[name] = result[name.replace(/0$/, '_n')];
  }
  console.log(`ONNX export (lstm-stream convert → ONNX Runtime ${ort.env.versions?.common ?? ''}): max |logits − ours| = ${worst.toExponential(2)}`);
}

/** The TensorFlow.js export loaded by tf.loadLayersModel, model.predict over the tokens. */
async function checkTfjs() {
  mkdirSync(join(directory, 'tfjs'));
  const tfjsPath = join(directory, 'tfjs', 'model.json');
  convertTo(tfjsPath);
  if (a.cell === 'gru') {
    // Keras reads reset_after=True; TensorFlow.js's GRUCell refuses it ("does not support reset_after
    // parameter set to true"), so only the file is checked here (it was written above).
    console.log('TensorFlow.js export: written (reset_after: true, as Keras reads it); TensorFlow.js itself runs only reset_after: false GRUs (cell gru-reset-before)');
    return;
  }
  const json = JSON.parse(readFileSync(tfjsPath, 'utf8'));
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const shards = Buffer.concat(json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(directory, 'tfjs', p)))));
  const tf = await import('@tensorflow/tfjs');
  const layers = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.byteLength) }));
  const all = await layers.predict(tf.tensor2d([tokens], [1, count], 'int32')).data();
  // A softmax head is exported as a Dense layer with activation softmax: compare log-probabilities then.
  const softmax = a.head === 'softmax';
  const V = a.outputSize;
  let worst = 0;
  for (let t = 0; t < count; t++) {
    const row = all.subarray(t * V, (t + 1) * V);
    const normalizer = softmax ? logSumExp(ours[t]) : 0;
    for (let i = 0; i < 2000; i++) worst = Math.max(worst, Math.abs((softmax ? Math.log(row[i]) : row[i]) - (ours[t][i] - normalizer)));
  }
  console.log(`TensorFlow.js export (convert → tf.loadLayersModel, model.predict over the ${count} tokens): max difference on the first 2,000 outputs = ${worst.toExponential(2)}`);
}
