import { afterEach, describe, expect, it } from 'vitest';
import {
  cellStateSize,
  ConfigError,
  createCell,
  createRandomModel,
  ErrorCode,
  F32Matrix,
  hiddenStateSize,
  InputError,
  Model,
  quantizeModel,
  setKernelBackend,
  softmaxInto,
  stateSizeOf,
  validateArchitecture,
  type Architecture,
} from '../../src/index.ts';
import { referenceOutputs } from '../helpers/gate-reference.ts';
import { random } from '../helpers/keras-model-json.ts';

// Issue 16, item 3: a stack whose layers differ in kind and size (LSTM(24) →
// GRU(16), a SimpleRNN under a GRU, three kinds at odd sizes). Sessions step
// it on both kernels and match the f64 equations (test/helpers/gate-reference.ts,
// computed apart from the library's cells), carry per-layer state of each
// layer's own size (C for the LSTM layers only), and snapshot, fork and
// restore it.
const STEPS = 120;
const TOLERANCE = 1e-5;

afterEach(() => setKernelBackend('auto'));

const CASES: { name: string; architecture: Architecture }[] = [
  {
    name: 'LSTM 24 → GRU 16, embedding 31 × 7, softmax head',
    architecture: {
      cell: 'lstm', input: 'embedding', vocabSize: 31, inputSize: 7, hiddenSize: 24, numLayers: 2, head: 'softmax', outputSize: 31,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'gru', hiddenSize: 16 }],
    },
  },
  {
    name: 'SimpleRNN (tanh) 21 → GRU reset-before 13 (hard sigmoid) → LSTM 7, dense 5, linear head',
    architecture: {
      cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 21, numLayers: 3, head: 'linear', outputSize: 3,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'hard-sigmoid', cell: 'gru-reset-before', hiddenSize: 13 }, { gateActivation: 'sigmoid', cell: 'lstm', hiddenSize: 7 }],
    },
  },
  {
    name: 'GRU 9 → LSTM 17 (hard sigmoid) → rnn-relu 5, dense 4, no head',
    architecture: {
      cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 4, hiddenSize: 9, numLayers: 3, head: 'none', outputSize: 0,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'hard-sigmoid', cell: 'lstm', hiddenSize: 17 }, { gateActivation: 'sigmoid', cell: 'rnn-relu', hiddenSize: 5 }],
    },
  },
];

function inputsOf(a: Architecture, seed: number): { tokens: number[]; rows: Float32Array[] } {
  const next = random(seed);
  return {
    tokens: Array.from({ length: STEPS }, () => Math.floor(next() * Math.max(1, a.vocabSize))),
    rows: Array.from({ length: STEPS }, () => Float32Array.from({ length: a.inputSize }, () => 2 * next() - 1)),
  };
}

function stepAll(model: Model, inputs: { tokens: number[]; rows: Float32Array[] }, from = 0, session = model.session()): Float32Array[] {
  const outputs: Float32Array[] = [];
  for (let t = from; t < STEPS; t++) outputs.push((model.embedding !== null ? session.step(inputs.tokens[t]) : session.step(inputs.rows[t])).slice());
  return outputs;
}

function worst(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  let max = a.length === b.length ? 0 : Infinity;
  a.forEach((row, t) => {
    for (let i = 0; i < row.length; i++) max = Math.max(max, Math.abs(row[i] - (b[t]?.[i] ?? Infinity)));
  });
  return max;
}

describe.each(CASES)('$name', ({ architecture }) => {
  it('builds each layer with its own kind and size, and describes it', () => {
    const model = createRandomModel(architecture, { seed: 3 });
    const a = model.architecture;
    expect(model.layers.map((layer) => [layer.kind, layer.inputSize, layer.hiddenSize])).toEqual(
      architecture.layers!.map((layer, l) => [layer.cell ?? architecture.cell, l === 0 ? architecture.inputSize : (architecture.layers![l - 1].hiddenSize ?? architecture.hiddenSize), layer.hiddenSize ?? architecture.hiddenSize]),
    );
    // Layer 0's own cell and size are the top level's, so they are not repeated.
    expect(a.layers?.[0]).toEqual({ gateActivation: 'sigmoid' });
    expect(validateArchitecture(a)).toEqual(a);
    const sizes = model.layers.map((layer) => layer.hiddenSize);
    const lstmSizes = model.layers.filter((layer) => layer.kind === 'lstm').map((layer) => layer.hiddenSize);
    const sum = (values: number[]): number => values.reduce((s, v) => s + v, 0);
    expect([hiddenStateSize(a), cellStateSize(a), stateSizeOf(a)]).toEqual([sum(sizes), sum(lstmSizes), sum(sizes) + sum(lstmSizes)]);
    if (model.head !== null) expect(model.head.weight.cols).toBe(sizes[sizes.length - 1]);
  });

  it.each(['wasm', 'typescript'] as const)('steps as the f64 equations say on the %s kernels, state carried', (backend) => {
    setKernelBackend(backend);
    const model = createRandomModel(architecture, { seed: 5, embeddingScale: 1 });
    const inputs = inputsOf(architecture, 9);
    const expected = referenceOutputs(model, inputs);
    const delta = worst(stepAll(model, inputs), expected);
    console.log(`mixed stack ${backend}: max |Δ| from the f64 equations over ${STEPS} steps ${delta.toExponential(2)}`);
    expect(delta).toBeLessThanOrEqual(TOLERANCE);
    // int8 weights run the same stack (each layer its own kernel) near the f32 answers.
    const q8 = quantizeModel(model, { dtype: 'q8' });
    expect(worst(stepAll(q8, inputs), expected)).toBeLessThan(5e-2);
  });

  it('keeps per-layer state of each layer\'s size, and snapshot, restore and fork replay it', () => {
    const model = createRandomModel(architecture, { seed: 7 });
    const inputs = inputsOf(architecture, 11);
    const session = model.session();
    expect(session.h.length).toBe(hiddenStateSize(model.architecture));
    expect(session.c?.length ?? 0).toBe(cellStateSize(model.architecture));
    expect(session.stateSize).toBe(stateSizeOf(model.architecture));
    const whole = stepAll(model, inputs);
    const middle = STEPS / 2;
    const replay = model.session();
    for (let t = 0; t < middle; t++) replay.step(model.embedding !== null ? inputs.tokens[t] : inputs.rows[t]);
    const snapshot = replay.snapshot();
    expect(snapshot.length).toBe(stateSizeOf(model.architecture));
    const fork = replay.fork();
    expect(worst(stepAll(model, inputs, middle, fork), whole.slice(middle))).toBe(0);
    expect(worst(stepAll(model, inputs, middle, replay), whole.slice(middle))).toBe(0);
    replay.restore(snapshot);
    expect(worst(stepAll(model, inputs, middle, replay), whole.slice(middle))).toBe(0);
    // A snapshot of the plain stack's size is refused, naming the layers.
    const wrong = new Float32Array(model.architecture.numLayers * model.architecture.hiddenSize);
    let error: unknown = null;
    try {
      replay.restore(wrong);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(ErrorCode.SNAPSHOT_SIZE_MISMATCH);
    expect((error as InputError).message).toMatch(/of \d+ layers: \w[\w-]*:\d+/);
  });

  it('softmax heads read the top layer: predictNext ranks what the step returned', () => {
    const model = createRandomModel(architecture, { seed: 13, extras: architecture.head === 'softmax' ? { vocabulary: Array.from({ length: architecture.outputSize }, (_, i) => `w${i}`) } : undefined });
    if (model.architecture.head !== 'softmax') return;
    const session = model.session();
    const inputs = inputsOf(architecture, 2);
    for (let t = 0; t < 5; t++) session.step(inputs.tokens[t]);
    const probabilities = softmaxInto(new Float32Array(architecture.outputSize), session.currentOutput()!);
    session.discardOutput(); // recompute from the top layer's h
    const [best] = session.predictNext(1);
    expect(Math.abs(best.probability - Math.max(...probabilities))).toBeLessThan(1e-6);
  });
});

describe('a mixed stack streams', () => {
  it('model.stream() gives what a session steps', async () => {
    const model = createRandomModel(CASES[1].architecture, { seed: 17 });
    const inputs = inputsOf(CASES[1].architecture, 19).rows.slice(0, 20);
    const expected = stepAll(model, { tokens: [], rows: inputs.concat(new Array(STEPS - inputs.length).fill(inputs[0])) }).slice(0, inputs.length);
    const stream = model.stream({ highWaterMark: 4 });
    const got: Float32Array[] = [];
    const reading = (async () => {
      for await (const result of stream) got.push(result.output.slice());
    })();
    for (const x of inputs) await stream.push(x);
    stream.end();
    await reading;
    expect(worst(got, expected)).toBe(0);
  });
});

describe('a mixed stack refused', () => {
  it('when a layer\'s input is not the size of the layer below, or layer 0 says two things', () => {
    const base = createRandomModel(CASES[0].architecture, { seed: 1 });
    const wrong = createCell('gru', 20, 16, new F32Matrix(48, 36, new Float32Array(48 * 36)), new Float32Array(96));
    expect(() => new Model({ embedding: base.embedding, layers: [base.layers[0], wrong], head: base.head })).toThrow(/layer 1 has inputSize 20, expected 24 \(the hiddenSize of the layer below\)/);
    const twice = { ...CASES[0].architecture, layers: [{ gateActivation: 'sigmoid' as const, hiddenSize: 12 }, CASES[0].architecture.layers![1]] };
    expect(() => validateArchitecture(twice)).toThrow(ConfigError);
    expect(() => validateArchitecture(twice)).toThrow(/architecture\.layers\[0\]\.hiddenSize is 12, but architecture\.hiddenSize \(layer 0\) is 24/);
    const badKind = { ...CASES[0].architecture, layers: [{ gateActivation: 'sigmoid' as const }, { gateActivation: 'sigmoid' as const, cell: 'transformer' as never }] };
    expect(() => validateArchitecture(badKind)).toThrow(/architecture\.layers\[1\]\.cell is "transformer"/);
    const hardElman = { ...CASES[0].architecture, layers: [{ gateActivation: 'sigmoid' as const }, { gateActivation: 'hard-sigmoid' as const, cell: 'rnn-tanh' as const }] };
    expect(() => validateArchitecture(hardElman)).toThrow(/layers\[1\]\.gateActivation is "hard-sigmoid", but a rnn-tanh layer has no gates/);
  });

  it('a list that repeats the top level everywhere is dropped: a plain architecture stays plain', () => {
    const a = CASES[0].architecture;
    const plain = validateArchitecture({ ...a, layers: [{ gateActivation: 'sigmoid', cell: 'lstm', hiddenSize: 24 }, { gateActivation: 'sigmoid', cell: 'lstm', hiddenSize: 24 }] });
    expect(plain.layers).toBeUndefined();
  });
});
