import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import type { Model } from '../../src/model/model.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { encodeOnnx } from '../../src/interop/onnx/encode-onnx.ts';
import { toOnnxModel } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { decodeOnnx } from '../../src/interop/onnx/decode-onnx.ts';
import { floatValues } from '../../src/interop/onnx/tensor-values.ts';
import { AllocationBudget, DEFAULT_INTEROP_LIMITS } from '../../src/interop/limits.ts';
import { WireWriter } from '../../src/interop/protobuf/wire-writer.ts';
import { OnnxAttributeType, OnnxDataType, emptyAttribute, emptyTensor, type OnnxModel, type OnnxNode } from '../../src/interop/onnx/onnx-model.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';

const lm = { cell: 'lstm', input: 'embedding', vocabSize: 9, inputSize: 4, hiddenSize: 5, numLayers: 2, head: 'softmax', outputSize: 9 } as const;
const rnn = { cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 2 } as const;
const rnn2 = { ...rnn, numLayers: 2 } as const;

function graphOf(architecture: typeof lm | typeof rnn | typeof rnn2 = lm): OnnxModel {
  return toOnnxModel(createRandomModel(architecture, { seed: 8 }));
}

function nodeOf(model: OnnxModel, name: string): OnnxNode {
  return model.graph.nodes.find((n) => n.name === name)!;
}

function text(name: string, value: string) {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
}

function importError(model: OnnxModel): InteropError {
  try {
    importOnnx(encodeOnnx(model));
  } catch (error) {
    expect(error).toBeInstanceOf(InteropError);
    return error as InteropError;
  }
  throw new Error('expected the import to fail');
}

function logitsOf(model: Model, tokens: number[]): Float32Array {
  const session = model.session();
  return Float32Array.from(tokens.flatMap((t) => [...session.step(t)]));
}

describe('unsupported ONNX features: ONNX_UNSUPPORTED naming the node and attribute', () => {
  const cases: [string, (m: OnnxModel) => void, RegExp][] = [
    ['bidirectional', (m) => nodeOf(m, 'layers.0').attributes.push(text('direction', 'bidirectional')), /node "layers.0" \(LSTM\): attribute direction is "bidirectional"/],
    ['reverse', (m) => nodeOf(m, 'layers.1').attributes.push(text('direction', 'reverse')), /node "layers.1" \(LSTM\): attribute direction is "reverse"/],
    ['peepholes', (m) => nodeOf(m, 'layers.0').inputs.push('layers.0.P'), /node "layers.0" \(LSTM\): input 7 \(P, peephole weights "layers.0.P"\)/],
    [
      'custom activations',
      (m) => nodeOf(m, 'layers.0').attributes.push({ ...emptyAttribute(), name: 'activations', type: OnnxAttributeType.STRINGS, strings: ['Sigmoid', 'Tanh', 'Relu'].map((s) => new TextEncoder().encode(s)) }),
      /node "layers.0" \(LSTM\): attribute activations is \[Sigmoid, Tanh, Relu\]/,
    ],
    ['activation_alpha', (m) => nodeOf(m, 'layers.0').attributes.push({ ...emptyAttribute(), name: 'activation_alpha', type: OnnxAttributeType.FLOATS, floats: [0.5] }), /attribute activation_alpha/],
    ['clip', (m) => nodeOf(m, 'layers.1').attributes.push({ ...emptyAttribute(), name: 'clip', type: OnnxAttributeType.FLOAT, f: 3 }), /node "layers.1" \(LSTM\): attribute clip/],
    ['input_forget', (m) => nodeOf(m, 'layers.0').attributes.push({ ...emptyAttribute(), name: 'input_forget', type: OnnxAttributeType.INT, i: 1 }), /node "layers.0" \(LSTM\): attribute input_forget/],
    ['sequence_lens', (m) => (nodeOf(m, 'layers.0').inputs[4] = 'lengths'), /node "layers.0" \(LSTM\): input 4 \(sequence_lens "lengths"\)/],
    ['layout 1', (m) => nodeOf(m, 'layers.0').attributes.push({ ...emptyAttribute(), name: 'layout', type: OnnxAttributeType.INT, i: 1 }), /attribute layout = 1/],
    ['an op on the main path', (m) => (nodeOf(m, 'head.add').opType = 'Mul'), /node "head.add" \(Mul\) lies between the top recurrent layer and graph output "logits"/],
    ['a computed weight', (m) => (nodeOf(m, 'layers.1').inputs[1] = 'embedded'), /node "layers.1" \(LSTM\): input 1 \(W\) "embedded" is not a constant/],
  ];
  it.each(cases)('%s', (_name, edit, message) => {
    const model = graphOf();
    edit(model);
    const error = importError(model);
    expect(error.code).toBe(ErrorCode.ONNX_UNSUPPORTED);
    expect(error.message).toMatch(message);
  });

  it('a graph without recurrent nodes', () => {
    const model = graphOf();
    model.graph.nodes = model.graph.nodes.filter((n) => n.opType !== 'LSTM');
    expect(importError(model).message).toMatch(/no LSTM, GRU or RNN node/);
  });

  it('weights stored in an external file', () => {
    // TensorProto { dims: [1], data_type: FLOAT, name: "w", data_location: EXTERNAL } in a graph, by hand.
    const tensor = new WireWriter().packedInts(1, [1]).int(2, OnnxDataType.FLOAT).string(8, 'w').int(14, 1);
    const bytes = new WireWriter().int(1, 8).message(7, new WireWriter().message(5, tensor)).finish().slice();
    const decoded = decodeOnnx(bytes);
    expect(decoded.graph.initializers[0].external).toBe(true);
    expect(() => floatValues(decoded.graph.initializers[0], new AllocationBudget(DEFAULT_INTEROP_LIMITS), 'initializer "w"')).toThrow(
      expect.objectContaining({ code: ErrorCode.ONNX_UNSUPPORTED, message: expect.stringMatching(/initializer "w" keeps its values in an external data file/) }),
    );
  });
});

describe('ONNX graph variants', () => {
  const tokens = [1, 4, 0, 8, 3, 3, 7];
  const original = createRandomModel(lm, { seed: 8 });
  const reference = logitsOf(original, tokens);

  it('a trailing Softmax marks the head softmax (steps still return logits)', () => {
    const model = graphOf();
    nodeOf(model, 'head.add').outputs = ['pre_softmax'];
    model.graph.nodes.push({ name: 'softmax', opType: 'Softmax', domain: '', inputs: ['pre_softmax'], outputs: ['logits'], attributes: [] });
    const imported = importOnnx(encodeOnnx(model), { head: 'linear' });
    expect(imported.architecture.head).toBe('softmax');
    expect(maxAbsDiff(logitsOf(imported, tokens), reference)).toBe(0);
  });

  it('a Gemm head with transB = 1, alpha and beta, as torch writes nn.Linear on 2-D input', () => {
    const model = graphOf();
    const a = original.architecture;
    const weight = original.head!.weight.toFloat32(); // [V × H], used as B with transB = 1, scaled by alpha = 2
    const half = weight.map((v) => v / 2);
    const tensor = (name: string, dims: number[], values: Float32Array) => {
      const t = emptyTensor();
      t.name = name;
      t.dims = dims;
      t.dataType = OnnxDataType.FLOAT;
      t.floatData = [...values];
      return t;
    };
    model.graph.initializers.push(tensor('gemm.B', [a.outputSize, a.hiddenSize], half), tensor('gemm.C', [a.outputSize], original.head!.bias.map((v) => v / 4)));
    model.graph.nodes = model.graph.nodes.filter((n) => n.name !== 'head.matmul' && n.name !== 'head.add');
    model.graph.nodes.push({
      name: 'gemm',
      opType: 'Gemm',
      domain: '',
      inputs: ['layers.1.output', 'gemm.B', 'gemm.C'],
      outputs: ['logits'],
      attributes: [
        { ...emptyAttribute(), name: 'transB', type: OnnxAttributeType.INT, i: 1 },
        { ...emptyAttribute(), name: 'alpha', type: OnnxAttributeType.FLOAT, f: 2 },
        { ...emptyAttribute(), name: 'beta', type: OnnxAttributeType.FLOAT, f: 4 },
      ],
    });
    const imported = importOnnx(encodeOnnx(model));
    expect(imported.architecture).toEqual(original.architecture);
    expect(maxAbsDiff(logitsOf(imported, tokens), reference)).toBeLessThan(1e-6);
  });

  it('an Elman RNN with a linear head and float_data weights', () => {
    const model = graphOf(rnn);
    for (const t of model.graph.initializers) {
      if (t.dataType !== OnnxDataType.FLOAT || t.rawData === null) continue;
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      t.floatData = Array.from({ length: t.rawData.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
      t.rawData = null;
    }
    const imported = importOnnx(encodeOnnx(model));
    expect(imported.architecture).toEqual({ ...rnn });
    const source = createRandomModel(rnn, { seed: 8 });
    const x = Float32Array.from([0.3, -0.2, 0.9]);
    expect(maxAbsDiff(imported.session().step(x), source.session().step(x))).toBe(0);
  });

  it('FLOAT16 weights are widened', () => {
    const model = graphOf(rnn);
    const t = model.graph.initializers.find((i) => i.name === 'layers.0.B')!;
    t.dataType = OnnxDataType.FLOAT16;
    // 0x3c00 = 1.0, 0xc000 = -2.0, 0x3555 ≈ 0.33325
    const bits = [0x3c00, 0xc000, 0x3555, 0, 0, 0, 0, 0];
    t.rawData = new Uint8Array(Uint16Array.from(bits).buffer);
    const imported = importOnnx(encodeOnnx(model));
    expect(Array.from(imported.layers[0].bias)).toEqual([1, -2, 0.333251953125, 0]);
  });
});

describe('large hostile graphs take linear time', () => {
  it('100,000 layout ops between layers and 10,000 extra outputs', () => {
    const model = graphOf(rnn2);
    const layer1 = nodeOf(model, 'layers.1');
    let previous = layer1.inputs[0];
    for (let i = 0; i < 100_000; i++) {
      model.graph.nodes.push({ name: `id${i}`, opType: 'Identity', domain: '', inputs: [previous], outputs: [`id${i}`], attributes: [] });
      previous = `id${i}`;
    }
    layer1.inputs[0] = previous;
    for (let i = 0; i < 10_000; i++) {
      model.graph.nodes.push({ name: `view${i}`, opType: 'Identity', domain: '', inputs: [previous], outputs: [`view${i}`], attributes: [] });
      model.graph.outputs.push({ name: `view${i}`, elemType: OnnxDataType.FLOAT, shape: null });
    }
    const bytes = encodeOnnx(model);
    const start = performance.now();
    const imported = importOnnx(bytes);
    const elapsed = performance.now() - start;
    console.log(`import of a ${bytes.length}-byte graph with 110,000 nodes: ${elapsed.toFixed(0)} ms`);
    expect(imported.architecture.numLayers).toBe(2);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('20,000 recurrent nodes that do not form one stack', () => {
    const model = graphOf(rnn2);
    const layer0 = nodeOf(model, 'layers.0');
    for (let i = 0; i < 20_000; i++) model.graph.nodes.push({ ...layer0, name: `extra${i}`, outputs: [`extra${i}.Y`] });
    const start = performance.now();
    const error = importError(model);
    expect(performance.now() - start).toBeLessThan(3_000);
    expect(error.message).toMatch(/the graph has 20001 recurrent stacks \(node "layers.0" \(RNN\), node "extra0" \(RNN\), node "extra1" \(RNN\), node "extra2" \(RNN\), …\)/);
  });
});
