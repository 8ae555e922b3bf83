import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { createCell, createRandomModel, F32Matrix, Model, type Architecture, type GateActivation } from '../../src/index.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { encodeOnnx } from '../../src/interop/onnx/encode-onnx.ts';
import { exportOnnx, toOnnxModel } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import type { OnnxModel, OnnxNode } from '../../src/interop/onnx/onnx-model.ts';
import { exportSafetensors } from '../../src/interop/safetensors/write-safetensors.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { inputsOf, PARITY_STEPS, runSession, worstStep } from '../helpers/gru-cases.ts';
import { floatsAttribute, stringsAttribute } from '../helpers/onnx-builders.ts';
import { runtimeName } from '../helpers/runtime.ts';

// Hard-sigmoid gates through ONNX (issue 16, item 3, importer part): an LSTM
// or GRU node whose activations start with HardSigmoid (alpha 0.2, beta 0.5,
// ONNX's defaults) is a hard-sigmoid layer, per node; the exporter writes
// them so. ONNX Runtime runs what the exporter writes, and what it writes
// with the parameters left to their defaults, and must agree with us.
const TOLERANCE = 1e-5;
const HARD: GateActivation = 'hard-sigmoid';

interface Case {
  readonly name: string;
  readonly architecture: Architecture;
  readonly gates: GateActivation[];
}

const CASES: Case[] = [
  { name: 'LSTM, 2 layers, embedding 31 × 7 → H 11, softmax head, hard / hard', architecture: { cell: 'lstm', input: 'embedding', vocabSize: 31, inputSize: 7, hiddenSize: 11, numLayers: 2, head: 'softmax', outputSize: 31 }, gates: [HARD, HARD] },
  { name: 'LSTM, 3 layers, dense 5 → H 9, linear head, hard / sigmoid / hard', architecture: { cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 9, numLayers: 3, head: 'linear', outputSize: 2 }, gates: [HARD, 'sigmoid', HARD] },
  { name: 'gru, 2 layers, dense 6 → H 13, no head, sigmoid / hard', architecture: { cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 6, hiddenSize: 13, numLayers: 2, head: 'none', outputSize: 0 }, gates: ['sigmoid', HARD] },
  { name: 'gru-reset-before, 3 layers, embedding 19 × 5 → H 7, softmax head, all hard (TensorFlow.js\'s GRU)', architecture: { cell: 'gru-reset-before', input: 'embedding', vocabSize: 19, inputSize: 5, hiddenSize: 7, numLayers: 3, head: 'softmax', outputSize: 19 }, gates: [HARD, HARD, HARD] },
];

/** The case's model with weights spread wide enough that a good share of the hard gates clip. */
function modelOf(c: Case, seed: number): Model {
  const base = createRandomModel({ ...c.architecture, layers: c.gates.map((gateActivation) => ({ gateActivation })) }, { seed, embeddingScale: 1 });
  const layers = base.layers.map((layer) =>
    createCell(layer.kind, layer.inputSize, layer.hiddenSize, new F32Matrix(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32().map((v) => 3 * v)), layer.bias.map((v) => 3 * v), {
      gateActivation: layer.gateActivation,
    }),
  );
  return new Model({ embedding: base.embedding, layers, head: base.head });
}

type Ort = typeof import('onnxruntime-node');

/** ONNX Runtime's every-step output rows and final h of an exported graph, fed from zero state. */
async function runOrt(ort: Ort, bytes: Uint8Array, model: Model, inputs: { tokens: number[]; rows: Float32Array[] }): Promise<{ rows: Float32Array[]; h: Float32Array }> {
  const a = model.architecture;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  const feeds: Record<string, InstanceType<Ort['Tensor']>> =
    model.embedding !== null
      ? { tokens: new ort.Tensor('int64', BigInt64Array.from(inputs.tokens, BigInt), [PARITY_STEPS, 1]) }
      : { x: new ort.Tensor('float32', Float32Array.from(inputs.rows.flatMap((r) => [...r])), [PARITY_STEPS, 1, a.inputSize]) };
  const zeros = () => new ort.Tensor('float32', new Float32Array(a.numLayers * a.hiddenSize), [a.numLayers, 1, a.hiddenSize]);
  feeds.h0 = zeros();
  if (a.cell === 'lstm') feeds.c0 = zeros();
  const result = await session.run(feeds);
  await session.release();
  const main = result[a.head === 'softmax' ? 'logits' : a.head === 'linear' ? 'output' : 'y'].data as Float32Array;
  const width = main.length / PARITY_STEPS;
  return { rows: Array.from({ length: PARITY_STEPS }, (_, t) => main.subarray(t * width, (t + 1) * width)), h: result.h_n.data as Float32Array };
}

function recurrentNodes(onnx: OnnxModel): OnnxNode[] {
  return onnx.graph.nodes.filter((n) => n.opType === 'LSTM' || n.opType === 'GRU');
}

describe('hard-sigmoid layers → ONNX → ONNX Runtime', () => {
  it.each(CASES)(`$name: ${PARITY_STEPS} steps and the final h within 1e-5; with alpha/beta left to their defaults too`, async (c) => {
    const ort = await import('onnxruntime-node');
    const model = modelOf(c, 2);
    const inputs = inputsOf(model, 13);
    const ours = runSession(model, inputs, 'wasm');
    const onnx = toOnnxModel(model);
    expect(recurrentNodes(onnx).map((n) => n.attributes.find((x) => x.name === 'activations')?.strings.map((b) => new TextDecoder().decode(b))[0] ?? 'Sigmoid')).toEqual(
      c.gates.map((g) => (g === HARD ? 'HardSigmoid' : 'Sigmoid')),
    );
    const written = await runOrt(ort, encodeOnnx(onnx), model, inputs);
    for (const node of recurrentNodes(onnx)) node.attributes = node.attributes.filter((x) => x.name !== 'activation_alpha' && x.name !== 'activation_beta');
    const defaults = encodeOnnx(onnx);
    const byDefault = await runOrt(ort, defaults, model, inputs);
    const worst = worstStep(ours.outputs, written.rows);
    const worstH = maxAbsDiff(ours.h, written.h);
    console.log(`${runtimeName()}, hard-sigmoid ${c.name} → ONNX Runtime: max |Δ| steps ${worst.toExponential(2)}, final h ${worstH.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(worstH).toBeLessThanOrEqual(TOLERANCE);
    expect(worstStep(ours.outputs, byDefault.rows)).toBeLessThanOrEqual(TOLERANCE);
    // The defaults file imports as the same hard-sigmoid model.
    const imported = importOnnx(defaults);
    expect(imported.layers.map((layer) => layer.gateActivation)).toEqual(c.gates);
    // Not bit for bit: the original's head already runs on its WebAssembly kernel (attached at the first wasm step).
    expect(worstStep(runSession(imported, inputs, 'typescript').outputs, runSession(model, inputs, 'typescript').outputs)).toBeLessThan(1e-6);
  });

  it.each(CASES)('$name: export → import keeps the gates and the bits', (c) => {
    const model = modelOf(c, 4);
    const back = importOnnx(exportOnnx(model));
    expect(back.architecture).toEqual(model.architecture);
    const inputs = inputsOf(model, 6, 60);
    expect(worstStep(runSession(back, inputs, 'typescript').outputs, runSession(model, inputs, 'typescript').outputs)).toBe(0);
  });
});

describe('HardSigmoid parameters and activations we cannot compute are refused, naming the node', () => {
  const c = CASES[1];
  const cases: [string, (node: OnnxNode) => void, RegExp][] = [
    ['alpha 0.3', (n) => (n.attributes.find((x) => x.name === 'activation_alpha')!.floats = [0.3]), /node "layers\.0" \(LSTM\): attribute activation_alpha is \[0\.3\]; HardSigmoid gates are supported with alpha 0\.2 and beta 0\.5 only/],
    ['beta 0.6', (n) => (n.attributes.find((x) => x.name === 'activation_beta')!.floats = [0.6]), /attribute activation_beta is \[0\.6\]/],
    ['two alphas', (n) => (n.attributes.find((x) => x.name === 'activation_alpha')!.floats = [0.2, 1]), /attribute activation_alpha is \[0\.2, 1\]/],
    ['HardSigmoid for g', (n) => (n.attributes.find((x) => x.name === 'activations')!.strings = stringsAttribute('a', ['HardSigmoid', 'HardSigmoid', 'Tanh']).strings), /attribute activations is \[HardSigmoid, HardSigmoid, Tanh\]; supported: \[Sigmoid, Tanh, Tanh\] or \[HardSigmoid, Tanh, Tanh\]/],
  ];
  it.each(cases)('%s', (_name, edit, message) => {
    const onnx = toOnnxModel(modelOf(c, 1));
    edit(recurrentNodes(onnx)[0]);
    let error: unknown;
    try {
      importOnnx(encodeOnnx(onnx));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InteropError);
    expect((error as InteropError).code).toBe(ErrorCode.ONNX_UNSUPPORTED);
    expect((error as InteropError).message).toMatch(message);
  });

  it('alpha on a sigmoid node is still a custom activation parameter', () => {
    const onnx = toOnnxModel(modelOf(c, 1));
    recurrentNodes(onnx)[1].attributes.push(floatsAttribute('activation_alpha', [0.2]));
    expect(() => importOnnx(encodeOnnx(onnx))).toThrow(/node "layers\.1" \(LSTM\): attribute activation_alpha \(parameters of custom activations\) is not supported/);
  });

  it('safetensors export refuses a hard-sigmoid model (nn.LSTM and nn.GRU use the sigmoid)', () => {
    expect(() => exportSafetensors(modelOf(c, 1))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, message: expect.stringMatching(/layer 0 has hard-sigmoid gates.*ONNX carries them/) }));
  });
});
