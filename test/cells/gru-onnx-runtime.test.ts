import { afterEach, describe, expect, it } from 'vitest';
import { setKernelBackend, type Model } from '../../src/index.ts';
import { encodeOnnx } from '../../src/interop/onnx/encode-onnx.ts';
import { emptyAttribute, emptyTensor, OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from '../../src/interop/onnx/onnx-model.ts';
import { gruCases, inputsOf, modelOf, OUR_BLOCK_OF_ZRH, PARITY_STEPS, runSession, torchPartsOf, worstStep } from '../helpers/gru-cases.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { runtimeName } from '../helpers/runtime.ts';

// Issue 16, must-show 1: our GRU against ONNX Runtime's GRU operator, both
// linear_before_reset values (1 is PyTorch's reset-after variant, our `gru`;
// 0 is `gru-reset-before`). The graph is built here, independently of the
// library's exporter: ONNX's gate order is z, r, h, W [1, 3H, I],
// R [1, 3H, H], B [1, 6H] = [Wb | Rb]. onnxruntime-node loads on Node, Deno
// and Bun (as test/interop/onnx-runtime.test.ts finds), so this runs on all three.
const TOLERANCE = 1e-5;

afterEach(() => setKernelBackend('auto'));

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  const tensor = emptyTensor();
  tensor.name = name;
  tensor.dims = dims;
  tensor.dataType = OnnxDataType.FLOAT;
  tensor.rawData = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  return tensor;
}

function int64Tensor(name: string, values: number[]): OnnxTensor {
  const tensor = emptyTensor();
  tensor.name = name;
  tensor.dims = [values.length];
  tensor.dataType = OnnxDataType.INT64;
  tensor.int64Data = values;
  return tensor;
}

function intAttribute(name: string, value: number): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.INT, i: value };
}

/** One GRU node per layer over the whole sequence (batch 1); outputs `out` [T, 1, width] and `layers.{l}.h_n` [1, 1, H]. */
function gruGraph(model: Model): Uint8Array {
  const a = model.architecture;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [int64Tensor('axes.direction', [1])];
  const node = (opType: string, name: string, inputs: string[], outputs: string[], attributes: OnnxAttribute[] = []): void => {
    nodes.push({ name, opType, domain: '', inputs, outputs, attributes });
  };
  let layerInput = 'x';
  const inputs = [];
  if (model.embedding !== null) {
    inputs.push({ name: 'tokens', elemType: OnnxDataType.INT64, shape: [PARITY_STEPS, 1] });
    initializers.push(floatTensor('embedding', [a.vocabSize, a.inputSize], model.embedding.toFloat32()));
    node('Gather', 'embed', ['embedding', 'tokens'], ['embedded'], [intAttribute('axis', 0)]);
    layerInput = 'embedded';
  } else {
    inputs.push({ name: 'x', elemType: OnnxDataType.FLOAT, shape: [PARITY_STEPS, 1, a.inputSize] });
  }
  const outputs = [];
  for (let l = 0; l < a.numLayers; l++) {
    const { I, H, weightIh, weightHh, biasIh, biasHh } = torchPartsOf(model, l);
    const W = new Float32Array(3 * H * I);
    const R = new Float32Array(3 * H * H);
    const B = new Float32Array(6 * H);
    for (let j = 0; j < 3; j++) {
      const ours = OUR_BLOCK_OF_ZRH[j];
      W.set(weightIh.subarray(ours * H * I, (ours + 1) * H * I), j * H * I);
      R.set(weightHh.subarray(ours * H * H, (ours + 1) * H * H), j * H * H);
      B.set(biasIh.subarray(ours * H, (ours + 1) * H), j * H);
      B.set(biasHh.subarray(ours * H, (ours + 1) * H), 3 * H + j * H);
    }
    initializers.push(floatTensor(`W${l}`, [1, 3 * H, I], W), floatTensor(`R${l}`, [1, 3 * H, H], R), floatTensor(`B${l}`, [1, 6 * H], B));
    node('GRU', `gru${l}`, [layerInput, `W${l}`, `R${l}`, `B${l}`], [`Y${l}`, `layers.${l}.h_n`], [
      intAttribute('hidden_size', H),
      intAttribute('linear_before_reset', a.cell === 'gru' ? 1 : 0),
    ]);
    node('Squeeze', `squeeze${l}`, [`Y${l}`, 'axes.direction'], [`layer${l}`]);
    layerInput = `layer${l}`;
    outputs.push({ name: `layers.${l}.h_n`, elemType: OnnxDataType.FLOAT, shape: [1, 1, H] });
  }
  let width = a.hiddenSize;
  if (model.head !== null) {
    const V = a.outputSize;
    const H = a.hiddenSize;
    const weight = model.head.weight.toFloat32();
    const transposed = new Float32Array(H * V);
    for (let v = 0; v < V; v++) for (let j = 0; j < H; j++) transposed[j * V + v] = weight[v * H + j];
    initializers.push(floatTensor('head.weight_t', [H, V], transposed), floatTensor('head.bias', [V], model.head.bias.slice()));
    node('MatMul', 'head', [layerInput, 'head.weight_t'], ['product']);
    node('Add', 'head.add', ['product', 'head.bias'], ['out']);
    width = V;
  } else {
    node('Identity', 'top', [layerInput], ['out']);
  }
  outputs.unshift({ name: 'out', elemType: OnnxDataType.FLOAT, shape: [PARITY_STEPS, 1, width] });
  const onnx: OnnxModel = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'lstm-stream test',
    producerVersion: '',
    docString: '',
    graph: { name: 'gru_parity', nodes, initializers, inputs, outputs, valueInfo: [] },
    metadataProps: [],
  };
  return encodeOnnx(onnx);
}

describe.each(['gru', 'gru-reset-before'] as const)('GRU (%s) against ONNX Runtime', (cell) => {
  it.each(gruCases(cell))('$name: every step and the final state within 1e-5, WebAssembly and TypeScript kernels', async (c) => {
    const ort = await import('onnxruntime-node');
    const model = modelOf(c);
    const a = model.architecture;
    const inputs = inputsOf(model, c.seed + 100);
    const session = await ort.InferenceSession.create(gruGraph(model), { executionProviders: ['cpu'] });
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> =
      model.embedding !== null
        ? { tokens: new ort.Tensor('int64', BigInt64Array.from(inputs.tokens, BigInt), [PARITY_STEPS, 1]) }
        : { x: new ort.Tensor('float32', Float32Array.from(inputs.rows.flatMap((r) => [...r])), [PARITY_STEPS, 1, a.inputSize]) };
    const result = await session.run(feeds);
    await session.release();
    const out = result.out.data as Float32Array;
    const width = out.length / PARITY_STEPS;
    const theirs = Array.from({ length: PARITY_STEPS }, (_, t) => out.subarray(t * width, (t + 1) * width));
    const theirH = new Float32Array(a.numLayers * a.hiddenSize);
    for (let l = 0; l < a.numLayers; l++) theirH.set(result[`layers.${l}.h_n`].data as Float32Array, l * a.hiddenSize);
    for (const backend of ['wasm', 'typescript'] as const) {
      const ours = runSession(model, inputs, backend);
      const worst = worstStep(ours.outputs, theirs);
      const worstH = maxAbsDiff(ours.h, theirH);
      console.log(`${runtimeName()}, ONNX Runtime GRU linear_before_reset=${cell === 'gru' ? 1 : 0}, ${c.name}, ${backend}: max |Δ| steps ${worst.toExponential(2)}, final h ${worstH.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
      expect(worstH).toBeLessThanOrEqual(TOLERANCE);
    }
    // A meaningful comparison: the state moves far beyond the tolerance.
    expect(Math.max(...theirH.map(Math.abs))).toBeGreaterThan(0.05);
  });
});
