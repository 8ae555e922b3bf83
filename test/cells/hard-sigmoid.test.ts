import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createCell,
  createRandomModel,
  decodeModel,
  encodeModel,
  ErrorCode,
  F32Matrix,
  FormatError,
  hardSigmoid,
  Model,
  readModelFile,
  setKernelBackend,
  setQ8KernelMode,
  validateArchitecture,
  type Architecture,
  type GateActivation,
} from '../../src/index.ts';
import { documentOf, seal } from '../format/model-file-helpers.ts';
import { measureStepAllocation } from '../helpers/allocation-probe.ts';
import { onNode } from '../helpers/runtime.ts';
import { stepKernelsFor } from '../../src/model/step-kernels.ts';
import { referenceOutputs } from '../helpers/gate-reference.ts';
import { inputsOf, runSession, worstStep } from '../helpers/gru-cases.ts';

// Issue 16, item 3 (part): the hard sigmoid clip(0.2·x + 0.5, 0, 1) as a
// per-layer gate activation (TensorFlow.js's default for LSTM and GRU), in
// the cells, the architecture and the model file (version 3).
afterEach(() => {
  setKernelBackend('auto');
  setQ8KernelMode('integer');
});

const HARD: GateActivation = 'hard-sigmoid';

/** A model of `architecture` whose layers get the given gate activations, with weights wide enough to reach both clips. */
function modelWith(architecture: Architecture, gates: readonly GateActivation[], seed: number): Model {
  const base = createRandomModel({ ...architecture, layers: gates.map((gateActivation) => ({ gateActivation })) }, { seed, embeddingScale: 1 });
  const wider = (values: Float32Array): Float32Array => values.map((v) => 2.5 * v);
  const layers = base.layers.map((layer) =>
    createCell(layer.kind, layer.inputSize, layer.hiddenSize, new F32Matrix(layer.weight.rows, layer.weight.cols, wider(layer.weight.toFloat32())), wider(layer.bias), {
      gateActivation: layer.gateActivation,
    }),
  );
  return new Model({ embedding: base.embedding, layers, head: base.head });
}

const CASES: { name: string; architecture: Architecture; gates: GateActivation[] }[] = [
  { name: 'LSTM, 1 layer, dense 5 → H 7, hard', architecture: { cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 7, numLayers: 1, head: 'none', outputSize: 0 }, gates: [HARD] },
  { name: 'LSTM, 3 layers, embedding 29 × 9 → H 13, softmax head, hard / sigmoid / hard', architecture: { cell: 'lstm', input: 'embedding', vocabSize: 29, inputSize: 9, hiddenSize: 13, numLayers: 3, head: 'softmax', outputSize: 29 }, gates: [HARD, 'sigmoid', HARD] },
  { name: 'gru, 2 layers, dense 11 → H 6, linear head, sigmoid / hard', architecture: { cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 11, hiddenSize: 6, numLayers: 2, head: 'linear', outputSize: 3 }, gates: ['sigmoid', HARD] },
  { name: 'gru-reset-before, 2 layers, embedding 17 × 5 → H 9, hard / hard', architecture: { cell: 'gru-reset-before', input: 'embedding', vocabSize: 17, inputSize: 5, hiddenSize: 9, numLayers: 2, head: 'softmax', outputSize: 17 }, gates: [HARD, HARD] },
];

describe('hardSigmoid', () => {
  it('is clip(0.2·x + 0.5, 0, 1), exactly 0 and 1 past ±2.5', () => {
    expect([-1e30, -3, -2.5, -1, 0, 1, 2.5, 3, 1e30].map(hardSigmoid)).toEqual([0, 0, 0, 0.3, 0.5, 0.7, 1, 1, 1]);
    expect(hardSigmoid(1.25)).toBeCloseTo(0.75, 15);
  });
});

describe('hard-sigmoid layers step by the equations', () => {
  it.each(CASES)('$name: 150 steps within 1e-5 of f64, on both kernels; the sigmoid reading differs', (c) => {
    const model = modelWith(c.architecture, c.gates, 3);
    expect(model.layers.map((layer) => layer.gateActivation)).toEqual(c.gates);
    const inputs = inputsOf(model, 21, 150);
    const reference = referenceOutputs(model, inputs);
    for (const backend of ['typescript', 'wasm'] as const) {
      const ours = runSession(model, inputs, backend).outputs;
      expect(worstStep(ours, reference)).toBeLessThan(1e-5);
    }
    // The gate activation matters: read with sigmoid gates everywhere, the outputs move away.
    expect(worstStep(runSession(model, inputs, 'typescript').outputs, referenceOutputs(model, inputs, c.gates.map(() => 'sigmoid')))).toBeGreaterThan(1e-2);
  });
});

describe('the architecture carries the gate activation per layer', () => {
  const lstm: Architecture = { cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 2, head: 'none', outputSize: 0 };

  it('a model lists its layers only when one differs from the default; an all-sigmoid list is dropped', () => {
    expect(createRandomModel(lstm).architecture.layers).toBeUndefined();
    expect(validateArchitecture({ ...lstm, layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid' }] })).toEqual(lstm);
    expect(createRandomModel({ ...lstm, layers: [{ gateActivation: 'sigmoid' }, { gateActivation: HARD }] }).architecture.layers).toEqual([{ gateActivation: 'sigmoid' }, { gateActivation: HARD }]);
  });

  it('refuses a list of the wrong length, an unknown activation or field, and hard gates on an Elman layer', () => {
    const invalid = (architecture: unknown, message: RegExp): void => {
      expect(() => validateArchitecture(architecture as Architecture)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, message: expect.stringMatching(message) }));
    };
    invalid({ ...lstm, layers: [{ gateActivation: HARD }] }, /architecture\.layers is a list of 1; expected a list of numLayers \(2\)/);
    invalid({ ...lstm, layers: [{ gateActivation: 'relu' }, {}] }, /architecture\.layers\[0\]\.gateActivation is "relu"; expected sigmoid or hard-sigmoid/);
    invalid({ ...lstm, layers: [{ gateActivation: HARD, size: 3 }, {}] }, /architecture\.layers\[0\] has unknown field "size"/);
    invalid({ ...lstm, cell: 'rnn-tanh', layers: [{ gateActivation: HARD }, {}] }, /a rnn-tanh layer has no gates/);
    expect(() => createCell('rnn-relu', 3, 4, new F32Matrix(4, 7, new Float32Array(28)), new Float32Array(4), { gateActivation: HARD })).toThrow(ConfigError);
  });
});

describe('model files: version 3 holds architecture.layers', () => {
  it.each(CASES)('$name: written as version 3 and read back computing the same bits (f32), within the storage tolerance (f16, q8, q4)', (c) => {
    const model = modelWith(c.architecture, c.gates, 5);
    const bytes = encodeModel(model);
    expect(readModelFile(bytes).version).toBe(3);
    expect(documentOf(bytes).architecture.layers).toEqual(c.gates.map((gateActivation) => ({ gateActivation })));
    const back = decodeModel(bytes);
    expect(back.architecture).toEqual(model.architecture);
    const inputs = inputsOf(model, 8, 60);
    const expected = runSession(model, inputs, 'typescript').outputs;
    expect(worstStep(runSession(back, inputs, 'typescript').outputs, expected)).toBe(0);
    for (const [dtype, tolerance] of [['f16', 2e-2], ['q8', 1.5e-1], ['q4', 1]] as const) {
      const stored = decodeModel(encodeModel(model, { dtype }));
      expect(stored.layers.map((layer) => layer.gateActivation)).toEqual(c.gates);
      expect(worstStep(runSession(stored, inputs, 'typescript').outputs, expected)).toBeLessThan(tolerance);
    }
  });

  it('an all-sigmoid model is written exactly as before (version 1 or 2, no layers field)', () => {
    const lstm = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 2, head: 'none', outputSize: 0 });
    expect(documentOf(encodeModel(lstm)).version).toBe(1);
    expect('layers' in documentOf(encodeModel(lstm)).architecture).toBe(false);
  });

  it('refuses architecture.layers in a version 1 or 2 file (their readers do not know it), and bad entries', () => {
    const model = modelWith(CASES[2].architecture, CASES[2].gates, 1);
    const document = documentOf(encodeModel(model));
    const refused = (edit: (d: Record<string, any>) => void, code: string, message: RegExp): void => {
      const copy = documentOf(encodeModel(model));
      edit(copy);
      expect(() => decodeModel(seal(copy))).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
      expect(() => decodeModel(seal(copy))).toThrow(FormatError);
    };
    refused((d) => (d.version = 2), ErrorCode.INVALID_FIELD, /architecture\.layers needs format version 3; this file says version 2/);
    refused((d) => {
      d.version = 2;
      d.architecture.layers = [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid' }];
    }, ErrorCode.INVALID_FIELD, /architecture\.layers needs format version 3; this file says version 2/);
    refused((d) => (d.architecture.layers[1].gateActivation = 'softsign'), ErrorCode.INVALID_FIELD, /architecture\.layers\[1\]\.gateActivation is "softsign"/);
    refused((d) => (d.architecture.layers = [{ gateActivation: HARD }]), ErrorCode.INVALID_FIELD, /expected a list of numLayers \(2\)/);
    refused((d) => (d.architecture.layers = 'hard'), ErrorCode.INVALID_FIELD, /architecture\.layers is string/);
    expect(document.version).toBe(3);
  });
});

describe('the WebAssembly kernels take hard-sigmoid gates', () => {
  it.each(CASES)('$name: WebAssembly (f32, and q8 in float and integer mode) gives the TypeScript kernels\' answers over 300 steps', (c) => {
    const model = modelWith(c.architecture, c.gates, 7);
    // Every layer has a WebAssembly kernel (none falls back to TypeScript).
    setKernelBackend('wasm');
    expect(stepKernelsFor(model).layers.every((kernel) => kernel !== null)).toBe(true);
    const inputs = inputsOf(model, 9, 300);
    const f32 = worstStep(runSession(model, inputs, 'wasm').outputs, runSession(model, inputs, 'typescript').outputs);
    const q8Model = decodeModel(encodeModel(model, { dtype: 'q8' }));
    const q8Typescript = runSession(q8Model, inputs, 'typescript').outputs;
    setQ8KernelMode('float');
    const q8Float = worstStep(runSession(q8Model, inputs, 'wasm').outputs, q8Typescript);
    setQ8KernelMode('integer');
    const q8Integer = worstStep(runSession(q8Model, inputs, 'wasm').outputs, q8Typescript);
    console.log(`hard-sigmoid ${c.name}: WebAssembly vs TypeScript max |Δ| f32 ${f32.toExponential(2)}, q8 float ${q8Float.toExponential(2)}, q8 integer ${q8Integer.toExponential(2)}`);
    expect(f32).toBeLessThan(1e-6 * Math.max(1, ...runSession(model, inputs, 'typescript').outputs.flatMap((o) => Array.from(o, Math.abs))));
    expect(q8Float).toBeLessThan(1e-5);
    expect(q8Integer).toBeLessThan(1e-3);
  });
});

describe.skipIf(!onNode)('a hard-sigmoid session allocates nothing per step', () => {
  it.each([
    ['lstm', 'wasm', 20_000],
    ['gru-reset-before', 'wasm', 20_000],
    ['lstm', 'typescript', 5_000],
    ['gru', 'typescript', 5_000],
  ] as const)('%s on %s kernels: %i steps with < 64 KB heap growth and no GC', async (cell, backend, steps) => {
    const model = createRandomModel(
      { cell, input: 'embedding', vocabSize: 300, inputSize: 37, hiddenSize: 41, numLayers: 2, head: 'softmax', outputSize: 300, layers: [{ gateActivation: HARD }, { gateActivation: 'sigmoid' }] },
      { seed: 4 },
    );
    setKernelBackend(backend);
    const reading = await measureStepAllocation(model.session(), steps, 300);
    expect(Number.isFinite(reading.checksum)).toBe(true);
    expect(reading.heapGrowth).toBeLessThan(64 * 1024);
    expect(reading.garbageCollections).toBe(0);
  });
});
