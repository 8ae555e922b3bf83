import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandomModel, evaluateLanguageModel, SeededRandom } from '../../src/index.ts';
import { loadModel } from '../../src/format/load-model.ts';
import {
  buildVocabulary,
  encodeTokens,
  evaluateLoss,
  exportTrainedModel,
  parseTokenLines,
  TrainableModel,
  train,
  type OutputClassesMetadata,
} from '../../src/train/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-export-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('token files', () => {
  it('parse one token per line, build a count-ordered vocabulary with <unk> at 0, and encode', () => {
    const tokens = parseTokenLines('the\r\ncat\n\nsat\nthe\nmat\nthe\ncat\n');
    expect(tokens).toEqual(['the', 'cat', 'sat', 'the', 'mat', 'the', 'cat']);
    const vocabulary = buildVocabulary(tokens, { minCount: 2 });
    expect(vocabulary).toEqual(['<unk>', 'the', 'cat']);
    expect(Array.from(encodeTokens(['the', 'dog', 'cat'], vocabulary))).toEqual([1, 0, 2]);
    expect(buildVocabulary(tokens, { maxSize: 3 })).toEqual(['<unk>', 'the', 'cat']);
  });
});

describe('export', () => {
  it('writes a model file whose loaded model, with its outputClasses, gives the trained log-probabilities', async () => {
    const V = 20;
    const random = new SeededRandom(3);
    const stream = Int32Array.from({ length: 3001 }, (_, t) => (random.next() < 0.6 ? (t * 7) % V : random.integer(V)));
    const data = { inputs: stream.subarray(0, 3000), targets: stream.subarray(1), inputWidth: 1, targetWidth: 1 };
    const start = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 8, hiddenSize: 10, numLayers: 2, head: 'softmax', outputSize: V }, { seed: 1 });
    const result = await train(start, { train: data, batchSize: 5, window: 10, epochs: 2, classCount: 4 });
    const vocabulary = Array.from({ length: V }, (_, i) => `w${i}`);
    const path = join(directory, 'classes.msgpack');
    const bytes = await exportTrainedModel(path, result, { dtype: 'f32', vocabulary, tokenizer: { kind: 'word', unknownToken: 'w0' } });
    expect(bytes).toBeGreaterThan(1000);
    const loaded = await loadModel(path);
    expect(loaded.vocabulary).toEqual(vocabulary);
    const classes = loaded.metadata.outputClasses as OutputClassesMetadata;
    expect(classes.classCount).toBe(4);
    expect(loaded.outputClasses!.classCount).toBe(4);
    // Inference: −mean log P(target) over one stream, from the loaded file alone:
    // session.step returns log P(w|h) over all words for a factorized output ...
    const session = loaded.session();
    let nll = 0;
    const N = 400;
    for (let t = 0; t < N; t++) {
      const logProbabilities = session.step(data.inputs[t]);
      let total = 0;
      for (let w = 0; w < V; w++) total += Math.exp(logProbabilities[w]);
      expect(Math.abs(total - 1)).toBeLessThan(1e-5);
      nll -= logProbabilities[data.targets[t]];
    }
    // ... predictNext agrees with it ...
    const probe = loaded.session();
    probe.step(data.inputs[0]);
    const top = probe.predictNext(V);
    const stepped = loaded.session().step(data.inputs[0]);
    for (const p of top) expect(p.probability).toBeCloseTo(Math.exp(stepped[p.id]), 6);
    // ... and evaluateLanguageModel too (it predicts tokens 1 … N−1 after reading token 0):
    const evaluation = evaluateLanguageModel(loaded, data.inputs.subarray(0, N + 1));
    expect(evaluation.crossEntropy).toBeCloseTo(nll / N, 4);
    // ... equals the trainer's own loss of the same stream (batch 1, same windows carry state).
    const trainable = new TrainableModel(result.model, { classes: result.classes!.classes, classWeights: result.classes! });
    const trainerLoss = evaluateLoss(trainable, { ...data, inputs: data.inputs.subarray(0, N), targets: data.targets.subarray(0, N) }, 1, 10);
    expect(Math.abs(nll / N - trainerLoss)).toBeLessThan(1e-4);
  });

  it('stores a wide class layer (C·H = 76,800, past 65,536 elements) row by row and loads it back', async () => {
    const V = 400;
    const stream = Int32Array.from({ length: 2001 }, (_, t) => (t * 13) % V);
    const start = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 4, hiddenSize: 256, numLayers: 1, head: 'softmax', outputSize: V });
    const result = await train(start, { train: { inputs: stream.subarray(0, 2000), targets: stream.subarray(1), inputWidth: 1, targetWidth: 1 }, batchSize: 4, window: 10, epochs: 1, maxWindowsPerEpoch: 1, classCount: 300 });
    const path = join(directory, 'wide-classes.msgpack');
    await exportTrainedModel(path, result);
    const classes = (await loadModel(path)).metadata.outputClasses as OutputClassesMetadata;
    expect(classes.weight).toHaveLength(300);
    expect(classes.weight[299]).toHaveLength(256);
    expect(classes.weight[7][3]).toBeCloseTo(result.classes!.weight[7 * 256 + 3], 6);
  });

  it('writes f32, f16 and q8 files of a full-softmax model that load and run', async () => {
    const V = 10;
    const stream = Int32Array.from({ length: 501 }, (_, t) => (t * 3) % V);
    const result = await train(createRandomModel({ cell: 'rnn-tanh', input: 'embedding', vocabSize: V, inputSize: 6, hiddenSize: 8, numLayers: 1, head: 'softmax', outputSize: V }), {
      train: { inputs: stream.subarray(0, 500), targets: stream.subarray(1), inputWidth: 1, targetWidth: 1 },
      batchSize: 5,
      window: 10,
      epochs: 1,
    });
    const sizes: number[] = [];
    for (const dtype of ['f32', 'f16', 'q8'] as const) {
      const path = join(directory, `model-${dtype}.msgpack`);
      sizes.push(await exportTrainedModel(path, result, { dtype }));
      const loaded = await loadModel(path);
      if (dtype === 'q8') expect(loaded.embedding!.dtype).toBe('q8');
      expect(loaded.metadata.training).toMatchObject({ trainer: 'lstm-stream/train' });
      const a = result.model.session().step(3);
      const b = loaded.session().step(3);
      for (let i = 0; i < V; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(0.05);
    }
    expect(sizes[1]).toBeLessThan(sizes[0]);
    expect(sizes[2]).toBeLessThan(sizes[1]);
  });
});
