import { describe, expect, it } from 'vitest';
import {
  createRandomModel,
  decodeModel,
  encodeModel,
  F32Matrix,
  fromTorchStateDict,
  Model,
  Q4Matrix,
  Q8Matrix,
  quantizeModel,
  type CellKind,
} from '../../src/index.ts';
import { loadTorchFixture, maxAbsDiff, rowOf, type FixtureTensor } from '../helpers/fixtures.ts';

// Tolerances stated in docs/FORMAT.md ("Accuracy of the storage types"): the
// largest absolute difference from PyTorch's float64 outputs over a fixture.
const F32_TOLERANCE = 2e-5; // the in-memory model's own tolerance: an f32 file adds nothing
const F16_TOLERANCE = 1e-3;
const Q8_TOLERANCE = 1e-2;
const Q4_TOLERANCE = 1e-1;

interface StackFixture {
  kind: 'lstm' | 'rnn';
  nonlinearity: 'tanh' | 'relu' | null;
  seq_len: number;
  params: Record<string, FixtureTensor>;
  x: FixtureTensor;
  h0: FixtureTensor;
  c0?: FixtureTensor;
  y: FixtureTensor;
}

interface LanguageModelFixture {
  params: Record<string, FixtureTensor>;
  inputs: number[];
  logits: FixtureTensor;
}

function cellOf(fixture: StackFixture): CellKind {
  return fixture.kind === 'lstm' ? 'lstm' : fixture.nonlinearity === 'relu' ? 'rnn-relu' : 'rnn-tanh';
}

/** Every step's output of a stack fixture, as one flat array. */
function runStack(model: Model, fixture: StackFixture): Float32Array {
  const session = model.session();
  session.h.set(fixture.h0.data);
  if (fixture.c0) session.c!.set(fixture.c0.data);
  const H = model.architecture.hiddenSize;
  const out = new Float32Array(fixture.seq_len * H);
  for (let t = 0; t < fixture.seq_len; t++) out.set(session.step(rowOf(fixture.x, t)), t * H);
  return out;
}

function runLanguageModel(model: Model, inputs: number[]): Float32Array {
  const session = model.session();
  const V = model.architecture.outputSize;
  const out = new Float32Array(inputs.length * V);
  inputs.forEach((token, t) => out.set(session.step(token), t * V));
  return out;
}

describe.each(['lstm_1layer', 'lstm_2layer', 'rnn_tanh', 'rnn_relu_2layer'])('stack fixture %s through a model file', (name) => {
  const fixture = loadTorchFixture<StackFixture>(name);
  const model = fromTorchStateDict(fixture.params, { cell: cellOf(fixture) });
  const inMemory = runStack(model, fixture);

  it('f32 file: the same outputs as the in-memory model, bit for bit, and PyTorch within 2e-5', () => {
    const loaded = decodeModel(encodeModel(model, { dtype: 'f32' }));
    expect(loaded.architecture).toEqual(model.architecture);
    const outputs = runStack(loaded, fixture);
    expect(Array.from(outputs)).toEqual(Array.from(inMemory));
    expect(maxAbsDiff(outputs, fixture.y.data)).toBeLessThan(F32_TOLERANCE);
  });

  it.each([
    ['f16', F16_TOLERANCE],
    ['q8', Q8_TOLERANCE],
    ['q4', Q4_TOLERANCE],
  ] as const)('%s file: PyTorch within the stated tolerance', (dtype, tolerance) => {
    const loaded = decodeModel(encodeModel(model, { dtype }));
    const error = maxAbsDiff(runStack(loaded, fixture), fixture.y.data);
    expect(error).toBeLessThan(tolerance);
    expect(error).toBeGreaterThan(0); // it really was rounded
  });
});

describe.each(['lm_lstm_bptt', 'lm_rnn_bptt'])('language-model fixture %s through a model file', (name) => {
  const fixture = loadTorchFixture<LanguageModelFixture>(name);
  const model = fromTorchStateDict(fixture.params);
  const inMemory = runLanguageModel(model, fixture.inputs);

  it('f32 file: the same logits as the in-memory model, bit for bit, and PyTorch within 2e-5', () => {
    const loaded = decodeModel(encodeModel(model, { dtype: 'f32' }));
    const logits = runLanguageModel(loaded, fixture.inputs);
    expect(Array.from(logits)).toEqual(Array.from(inMemory));
    expect(maxAbsDiff(logits, fixture.logits.data)).toBeLessThan(F32_TOLERANCE);
  });

  it.each([
    ['f16', F16_TOLERANCE],
    ['q8', Q8_TOLERANCE],
    ['q4', Q4_TOLERANCE],
  ] as const)('%s file: PyTorch logits within the stated tolerance', (dtype, tolerance) => {
    const loaded = decodeModel(encodeModel(model, { dtype }));
    const error = maxAbsDiff(runLanguageModel(loaded, fixture.inputs), fixture.logits.data);
    expect(error).toBeLessThan(tolerance);
  });

  it('q8 file computes from int8 weights: every matrix is a Q8Matrix, biases stay f32', () => {
    const loaded = decodeModel(encodeModel(model, { dtype: 'q8' }));
    expect(loaded.embedding).toBeInstanceOf(Q8Matrix);
    for (const layer of loaded.layers) {
      expect(layer.weight).toBeInstanceOf(Q8Matrix);
      expect(layer.bias).toBeInstanceOf(Float32Array);
    }
    expect(loaded.head!.weight).toBeInstanceOf(Q8Matrix);
    expect((loaded.head!.weight as Q8Matrix).data).toBeInstanceOf(Int8Array);
  });

  it('a loaded q8 model is written back as the same bytes (no second quantization)', () => {
    const bytes = encodeModel(model, { dtype: 'q8' });
    expect(encodeModel(decodeModel(bytes))).toEqual(bytes);
    const blocks = encodeModel(model, { dtype: 'q8', blockSize: 4 });
    expect(encodeModel(decodeModel(blocks))).toEqual(blocks);
    const q4 = encodeModel(model, { dtype: 'q4' });
    expect(decodeModel(q4).layers[0].weight).toBeInstanceOf(Q4Matrix);
    expect(encodeModel(decodeModel(q4))).toEqual(q4);
  });

  it('quantizeModel gives the same logits as a file of that dtype', () => {
    for (const dtype of ['f32', 'f16', 'q8', 'q4'] as const) {
      const viaFile = runLanguageModel(decodeModel(encodeModel(model, { dtype })), fixture.inputs);
      const inMemory = runLanguageModel(quantizeModel(model, { dtype }), fixture.inputs);
      expect(Array.from(inMemory)).toEqual(Array.from(viaFile));
    }
  });
});

describe('everything else a file carries', () => {
  const architecture = { cell: 'lstm', input: 'embedding', vocabSize: 5, inputSize: 4, hiddenSize: 4, numLayers: 2, head: 'softmax', outputSize: 5 } as const;
  const vocabulary = ['<unk>', 'the', 'cat', 'sat', 'ünïcödé 🐈'];
  const tokenizer = { kind: 'word', unknownToken: '<unk>', lowercase: true, maxTokenLength: 40 } as const;
  const metadata = {
    license: 'CC0-1.0',
    createdAt: '2026-11-27T04:00:00.000Z',
    training: { corpus: 'brown', epochs: 3, learningRate: 0.5, losses: [4.1, 3.2, 2.9], clipped: null, tied: true },
    raw: new Uint8Array([1, 2, 3]),
  };

  it('round-trips vocabulary, tokenizer and metadata exactly', () => {
    const model = createRandomModel(architecture, { seed: 4, extras: { vocabulary, tokenizer, metadata } });
    for (const dtype of ['f32', 'f16', 'q8'] as const) {
      const loaded = decodeModel(encodeModel(model, { dtype }));
      expect(loaded.vocabulary).toEqual(vocabulary);
      expect(loaded.tokenizer).toEqual(tokenizer);
      expect(loaded.metadata).toEqual(metadata);
    }
  });

  it('stores a tied head once and restores it as the very embedding object', () => {
    const base = createRandomModel(architecture, { seed: 5 });
    const tied = new Model({ embedding: base.embedding, layers: base.layers, head: { kind: 'softmax', weight: base.embedding!, bias: base.head!.bias } });
    const untiedBytes = encodeModel(base, { dtype: 'f32' }).length;
    for (const dtype of ['f32', 'f16', 'q8', 'q4'] as const) {
      const bytes = encodeModel(tied, { dtype });
      const loaded = decodeModel(bytes);
      expect(loaded.head!.weight).toBe(loaded.embedding);
      const again = quantizeModel(tied, { dtype });
      expect(again.head!.weight).toBe(again.embedding);
    }
    // The shared 5×4 matrix is written once: 80 bytes fewer than the untied file.
    expect(untiedBytes - encodeModel(tied, { dtype: 'f32' }).length).toBeGreaterThanOrEqual(5 * 4 * 4);
    const reference = runLanguageModel(tied, [1, 2, 3, 4]);
    expect(Array.from(runLanguageModel(decodeModel(encodeModel(tied, { dtype: 'f32' })), [1, 2, 3, 4]))).toEqual(Array.from(reference));
  });

  it('gives the same bytes for the same model every time (deterministic writer)', () => {
    const model = createRandomModel(architecture, { seed: 6, extras: { vocabulary, tokenizer, metadata } });
    expect(encodeModel(model, { dtype: 'q8' })).toEqual(encodeModel(createRandomModel(architecture, { seed: 6, extras: { vocabulary, tokenizer, metadata } }), { dtype: 'q8' }));
  });

  it('dense models with a linear head and no head round-trip', () => {
    for (const head of ['linear', 'none'] as const) {
      const model = createRandomModel({ cell: 'rnn-relu', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 6, numLayers: 1, head, outputSize: head === 'none' ? 0 : 2 }, { seed: 7 });
      const loaded = decodeModel(encodeModel(model));
      expect(loaded.architecture).toEqual(model.architecture);
      const x = Float32Array.from([0.5, -1, 2]);
      expect(Array.from(loaded.session().step(x))).toEqual(Array.from(model.session().step(x)));
      expect(loaded.layers[0].weight).toBeInstanceOf(F32Matrix);
    }
  });
});
