// Averages the weights of f32 model files of one architecture (a "model soup"
// of checkpoints from one training run, e.g. two averaged-SGD phases) and
// writes the mean as an f32 model file with the first file's vocabulary,
// tokenizer and metadata.
//   npm run build && node scripts/average-models.mjs OUT.f32.msgpack A.f32.msgpack B.f32.msgpack [...]
// 2026-12-05, Brown validation (`node dist/cli.js eval MODEL data/brown/valid.txt --json`): phase 4
// (averaged SGD at 5) 191.21; its mean with phase 8's weights after one epoch of plain SGD at 1.25
// from it 190.38; with phase 5's (the average of SGD at 1.25 from it) 191.73.
import { readFileSync } from 'node:fs';
import { decodeModel, saveModel } from '../dist/index.js';

const [out, ...inputs] = process.argv.slice(2);
if (out === undefined || inputs.length < 2) {
  console.error('usage: node scripts/average-models.mjs OUT A B [...]');
  process.exit(2);
}
const models = inputs.map((path) => decodeModel(new Uint8Array(readFileSync(path))));
const shape = JSON.stringify(models[0].architecture);
// Every weight array of a model, in a fixed order (a tied head is the embedding: counted once).
const arraysOf = (model) => {
  const arrays = [];
  const add = (array) => { if (!arrays.includes(array)) arrays.push(array); };
  const matrix = (m) => {
    if (!(m.data instanceof Float32Array)) throw new Error(`${inputs[models.indexOf(model)]} is not an f32 file`);
    add(m.data);
  };
  if (model.embedding !== null) matrix(model.embedding);
  for (const layer of model.layers) { matrix(layer.weight); add(layer.bias); }
  if (model.head !== null) { matrix(model.head.weight); add(model.head.bias); }
  return arrays;
};
const target = arraysOf(models[0]);
for (let m = 1; m < models.length; m++) {
  if (JSON.stringify(models[m].architecture) !== shape) throw new Error(`${inputs[m]} has another architecture than ${inputs[0]}`);
  arraysOf(models[m]).forEach((array, a) => { for (let i = 0; i < array.length; i++) target[a][i] += array[i]; });
}
for (const array of target) for (let i = 0; i < array.length; i++) array[i] /= models.length;
await saveModel(out, models[0], { dtype: 'f32' });
console.log(`wrote ${out}: the mean of ${inputs.length} models`);
