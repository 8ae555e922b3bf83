import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { quantizeModel } from '../../src/format/quantize-model.ts';
import { createRandomModel, setKernelBackend, softmaxInto, type Model, type Session } from '../../src/index.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { encodeOnnx } from '../../src/interop/onnx/encode-onnx.ts';
import { exportOnnx, toOnnxModel } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { OnnxDataType, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from '../../src/interop/onnx/onnx-model.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { gruCases, inputsOf, modelOf, PARITY_STEPS, runSession, worstStep, type GruCase } from '../helpers/gru-cases.ts';
import { floatTensor, int64Tensor, intAttribute, seededUniform, stringAttribute, stringsAttribute, floatAttribute } from '../helpers/onnx-builders.ts';
import { runtimeName } from '../helpers/runtime.ts';

// Issue 16, item 2: ONNX's GRU operator in and out. linear_before_reset 1 is
// our `gru` (PyTorch's), 0 (ONNX's default) our `gru-reset-before`; ONNX's
// gate blocks are z, r, h (ours r, z, n) and B is [Wb | Rb], both halves
// kept. ONNX Runtime (onnxruntime-node, CPU) is the reference: it runs what
// our exporter writes, and graphs written here by hand with weights drawn in
// ONNX's own layout, which our importer must read into the same numbers.
const TOLERANCE = 1e-5;
type Ort = typeof import('onnxruntime-node');
type OrtTensor = InstanceType<Ort['Tensor']>;

afterEach(() => setKernelBackend('auto'));

function inputFeeds(ort: Ort, model: Model, inputs: { tokens: number[]; rows: Float32Array[] }, from: number, to: number): Record<string, OrtTensor> {
  const a = model.architecture;
  const steps = to - from;
  return model.embedding !== null
    ? { tokens: new ort.Tensor('int64', BigInt64Array.from(inputs.tokens.slice(from, to), BigInt), [steps, 1]) }
    : { x: new ort.Tensor('float32', Float32Array.from(inputs.rows.slice(from, to).flatMap((r) => [...r])), [steps, 1, a.inputSize]) };
}

function mainOutputName(model: Model): string {
  const head = model.architecture.head;
  return head === 'softmax' ? 'logits' : head === 'linear' ? 'output' : 'y';
}

/** [steps × width] rows of an ONNX output [steps, 1, width]. */
function rowsOf(data: Float32Array, steps: number): Float32Array[] {
  const width = data.length / steps;
  return Array.from({ length: steps }, (_, t) => data.subarray(t * width, (t + 1) * width));
}

const exportCases = (cell: 'gru' | 'gru-reset-before'): (GruCase & { quantize?: 'q8' | 'q4' })[] => {
  const cases: (GruCase & { quantize?: 'q8' | 'q4' })[] = gruCases(cell);
  return [...cases, { ...cases[2], name: `${cases[2].name}, q8 (dequantized on export)`, quantize: 'q8' }];
};

describe.each(['gru', 'gru-reset-before'] as const)('ours (%s) → ONNX → ONNX Runtime', (cell) => {
  it.each(exportCases(cell))(`$name: ${PARITY_STEPS} steps in two runs with the state carried, every output and h_n within 1e-5`, async (c) => {
    const ort = await import('onnxruntime-node');
    const base = modelOf(c);
    const model = c.quantize ? quantizeModel(base, { dtype: c.quantize }) : base;
    const a = model.architecture;
    const inputs = inputsOf(model, c.seed + 200);
    // q8 on the TypeScript kernel, which multiplies the dequantized weights the file holds; the
    // WebAssembly kernel's integer mode also rounds the activations (about 1e-5 relative, by design).
    const ours = runSession(model, inputs, c.quantize ? 'typescript' : 'wasm');
    const session = await ort.InferenceSession.create(exportOnnx(model), { executionProviders: ['cpu'] });
    // Two calls: the second starts from the first's h_n, as a stream resumed from a saved state would.
    const half = PARITY_STEPS / 2;
    let h0: OrtTensor = new ort.Tensor('float32', new Float32Array(a.numLayers * a.hiddenSize), [a.numLayers, 1, a.hiddenSize]);
    const theirs: Float32Array[] = [];
    for (const [from, to] of [[0, half], [half, PARITY_STEPS]]) {
      const result = await session.run({ ...inputFeeds(ort, model, inputs, from, to), h0 });
      expect(result[mainOutputName(model)].dims).toEqual([to - from, 1, a.head === 'none' ? a.hiddenSize : a.outputSize]);
      theirs.push(...rowsOf(result[mainOutputName(model)].data as Float32Array, to - from));
      h0 = result.h_n as OrtTensor;
    }
    await session.release();
    const worst = worstStep(ours.outputs, theirs);
    const worstH = maxAbsDiff(ours.h, h0.data as Float32Array);
    console.log(`${runtimeName()}, export ${c.name} → ONNX Runtime GRU linear_before_reset=${cell === 'gru' ? 1 : 0}: max |Δ| steps ${worst.toExponential(2)}, final h ${worstH.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(worstH).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.max(...ours.h.map(Math.abs))).toBeGreaterThan(0.05); // the state moves far beyond the tolerance
  });

  it('starts from a given h0 like a session whose state was set', async () => {
    const ort = await import('onnxruntime-node');
    const c = gruCases(cell)[2];
    const model = modelOf(c);
    const a = model.architecture;
    const inputs = inputsOf(model, 31, 60);
    const start = Float32Array.from({ length: a.numLayers * a.hiddenSize }, (_, i) => 0.6 * Math.sin(i + 1));
    const session = model.session();
    session.h.set(start);
    const ours = inputs.tokens.map((token) => session.step(token).slice());
    const ortSession = await ort.InferenceSession.create(exportOnnx(model));
    const result = await ortSession.run({ ...inputFeeds(ort, model, inputs, 0, 60), h0: new ort.Tensor('float32', start, [a.numLayers, 1, a.hiddenSize]) });
    await ortSession.release();
    expect(worstStep(ours, rowsOf(result.logits.data as Float32Array, 60))).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(gruCases(cell))('$name: export → import computes the same bits, vocabulary and all', (c) => {
    const model = createRandomModel(c.architecture, {
      seed: c.seed,
      extras: c.architecture.input === 'embedding' ? { vocabulary: Array.from({ length: c.architecture.vocabSize }, (_, i) => `w${i}`), tokenizer: { kind: 'word', unknownToken: 'w0' } } : undefined,
    });
    const back = importOnnx(exportOnnx(model));
    expect(back.architecture).toEqual(model.architecture);
    expect(back.vocabulary).toEqual(model.vocabulary);
    const inputs = inputsOf(model, 4, 50);
    expect(worstStep(runSession(back, inputs, 'typescript').outputs, runSession(model, inputs, 'typescript').outputs)).toBe(0);
  });

  it('the exported node: op GRU, linear_before_reset, W/R/B in ONNX shapes, h0 only', () => {
    const model = createRandomModel(gruCases(cell)[1].architecture, { seed: 1 });
    const onnx = toOnnxModel(model);
    const nodes = onnx.graph.nodes.filter((n) => n.opType === 'GRU');
    expect(nodes).toHaveLength(2);
    expect(nodes[0].attributes.find((x) => x.name === 'linear_before_reset')?.i).toBe(cell === 'gru' ? 1 : 0);
    const dims = (name: string) => onnx.graph.initializers.find((t) => t.name === name)!.dims;
    expect([dims('layers.0.W'), dims('layers.0.R'), dims('layers.0.B')]).toEqual([[1, 39, 11], [1, 39, 13], [1, 78]]);
    expect(onnx.graph.inputs.map((i) => i.name)).toEqual(['x', 'h0']);
    expect(onnx.graph.outputs.map((o) => o.name)).toEqual(['output', 'h_n']);
  });
});

/** What a hand-written graph holds: weights drawn in ONNX's layout, then the graph. */
interface HandBuilt {
  readonly name: string;
  readonly linearBeforeReset: 0 | 1;
  /** Write linear_before_reset even when 0 (otherwise its default applies). */
  readonly explicit: boolean;
  readonly input: 'embedding' | 'dense';
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  /** MatMul + Add [T, 1, V]; Reshape → Gemm (transB) → Softmax [T, V]; or no head. */
  readonly head: 'matmul' | 'gemm-softmax' | 'none';
  readonly outputSize: number;
  /** Per-layer initial_h Sliced out of a graph input h0 [L, 1, H], as torch.onnx.export writes it. */
  readonly initialH: boolean;
  readonly seed: number;
}

const HAND_BUILT: HandBuilt[] = [
  { name: 'linear_before_reset=1, 3 layers, Gather 23 × 9 → H 17, MatMul + Add head, sliced initial_h', linearBeforeReset: 1, explicit: true, input: 'embedding', vocabSize: 23, inputSize: 9, hiddenSize: 17, numLayers: 3, head: 'matmul', outputSize: 23, initialH: true, seed: 1 },
  { name: 'linear_before_reset=0 (default, unwritten), 3 layers, Gather 23 × 9 → H 17, MatMul + Add head, sliced initial_h', linearBeforeReset: 0, explicit: false, input: 'embedding', vocabSize: 23, inputSize: 9, hiddenSize: 17, numLayers: 3, head: 'matmul', outputSize: 23, initialH: true, seed: 2 },
  { name: 'linear_before_reset=1, 2 layers, dense 7 → H 11, Gemm + Softmax head', linearBeforeReset: 1, explicit: true, input: 'dense', vocabSize: 0, inputSize: 7, hiddenSize: 11, numLayers: 2, head: 'gemm-softmax', outputSize: 5, initialH: false, seed: 3 },
  { name: 'linear_before_reset=0, 1 layer, dense 5 → H 13, no head', linearBeforeReset: 0, explicit: true, input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 13, numLayers: 1, head: 'none', outputSize: 0, initialH: false, seed: 4 },
  { name: 'linear_before_reset=0, 2 layers, dense 3 → H 6, MatMul + Add head', linearBeforeReset: 0, explicit: true, input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 6, numLayers: 2, head: 'matmul', outputSize: 2, initialH: true, seed: 5 },
];

/** A GRU graph as another tool would write it; every weight drawn here in ONNX's layout (z, r, h; B = [Wb | Rb]). */
function handBuiltGraph(spec: HandBuilt): Uint8Array {
  const { hiddenSize: H, numLayers: L, inputSize: I, outputSize: V } = spec;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [int64Tensor('axes1', [1])];
  const inputs: OnnxValueInfo[] = [];
  const node = (opType: string, name: string, nodeInputs: string[], outputs: string[], attributes: OnnxAttribute[] = []): void => {
    nodes.push({ name, opType, domain: '', inputs: nodeInputs, outputs, attributes });
  };
  let seed = spec.seed * 1000;
  let layerInput = 'x';
  if (spec.input === 'embedding') {
    inputs.push({ name: 'tokens', elemType: OnnxDataType.INT64, shape: ['T', 1] });
    initializers.push(floatTensor('table', [spec.vocabSize, I], seededUniform(seed++, spec.vocabSize * I, 0.9)));
    node('Gather', 'embedding', ['table', 'tokens'], ['embedded'], [intAttribute('axis', 0)]);
    layerInput = 'embedded';
  } else {
    inputs.push({ name: 'x', elemType: OnnxDataType.FLOAT, shape: ['T', 1, I] });
  }
  if (spec.initialH) inputs.push({ name: 'h0', elemType: OnnxDataType.FLOAT, shape: [L, 1, H] });
  const outputs: OnnxValueInfo[] = [];
  for (let l = 0; l < L; l++) {
    const width = l === 0 ? I : H;
    initializers.push(
      floatTensor(`W${l}`, [1, 3 * H, width], seededUniform(seed++, 3 * H * width, 0.7)),
      floatTensor(`R${l}`, [1, 3 * H, H], seededUniform(seed++, 3 * H * H, 0.6)),
      floatTensor(`B${l}`, [1, 6 * H], seededUniform(seed++, 6 * H, 0.5)),
    );
    const gruInputs = [layerInput, `W${l}`, `R${l}`, `B${l}`];
    if (spec.initialH) {
      initializers.push(int64Tensor(`start${l}`, [l]), int64Tensor(`end${l}`, [l + 1]), int64Tensor(`axis0.${l}`, [0]));
      node('Slice', `h0_slice${l}`, ['h0', `start${l}`, `end${l}`, `axis0.${l}`], [`h0_${l}`]);
      gruInputs.push('', `h0_${l}`);
    }
    const attributes = [intAttribute('hidden_size', H)];
    if (spec.explicit || spec.linearBeforeReset === 1) attributes.push(intAttribute('linear_before_reset', spec.linearBeforeReset));
    node('GRU', `gru_${l}`, gruInputs, [`Y${l}`, `hn${l}`], attributes);
    node('Squeeze', `squeeze_${l}`, [`Y${l}`, 'axes1'], [`seq${l}`]);
    layerInput = `seq${l}`;
    outputs.push({ name: `hn${l}`, elemType: OnnxDataType.FLOAT, shape: [1, 1, H] });
  }
  if (spec.head === 'matmul') {
    initializers.push(floatTensor('head.w', [H, V], seededUniform(seed++, H * V, 0.8)), floatTensor('head.b', [V], seededUniform(seed++, V, 0.3)));
    node('MatMul', 'head.matmul', [layerInput, 'head.w'], ['product']);
    node('Add', 'head.add', ['product', 'head.b'], ['out']);
  } else if (spec.head === 'gemm-softmax') {
    initializers.push(int64Tensor('flat', [-1, H]), floatTensor('head.w', [V, H], seededUniform(seed++, V * H, 0.8)), floatTensor('head.b', [V], seededUniform(seed++, V, 0.3)));
    node('Reshape', 'head.reshape', [layerInput, 'flat'], ['flattened']);
    node('Gemm', 'head.gemm', ['flattened', 'head.w', 'head.b'], ['scores'], [intAttribute('transB', 1), floatAttribute('alpha', 1.5)]);
    node('Softmax', 'head.softmax', ['scores'], ['out'], [intAttribute('axis', 1)]);
  } else {
    node('Identity', 'top', [layerInput], ['out']);
  }
  outputs.unshift({ name: 'out', elemType: OnnxDataType.FLOAT, shape: null });
  const onnx: OnnxModel = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'hand-built GRU',
    producerVersion: '',
    docString: '',
    graph: { name: 'gru_by_hand', nodes, initializers, inputs, outputs, valueInfo: [] },
    metadataProps: [],
  };
  return encodeOnnx(onnx);
}

describe('an ONNX GRU graph built here → ours, against ONNX Runtime on the same file', () => {
  it.each(HAND_BUILT)(`$name: ${PARITY_STEPS} steps, every output and the final h within 1e-5`, async (spec) => {
    const ort = await import('onnxruntime-node');
    const bytes = handBuiltGraph(spec);
    const model = importOnnx(bytes);
    const a = model.architecture;
    expect(a).toEqual({
      cell: spec.linearBeforeReset === 1 ? 'gru' : 'gru-reset-before',
      input: spec.input,
      vocabSize: spec.vocabSize,
      inputSize: spec.inputSize,
      hiddenSize: spec.hiddenSize,
      numLayers: spec.numLayers,
      head: spec.head === 'none' ? 'none' : spec.head === 'gemm-softmax' || spec.input === 'embedding' ? 'softmax' : 'linear',
      outputSize: spec.outputSize,
    });
    const inputs = inputsOf(model, spec.seed + 50);
    const start = Float32Array.from({ length: a.numLayers * a.hiddenSize }, (_, i) => 0.5 * Math.cos(3 * i));
    const feeds = inputFeeds(ort, model, inputs, 0, PARITY_STEPS);
    if (spec.initialH) feeds.h0 = new ort.Tensor('float32', start, [a.numLayers, 1, a.hiddenSize]);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    const result = await session.run(feeds);
    await session.release();
    const theirs = rowsOf(result.out.data as Float32Array, PARITY_STEPS);
    const theirH = new Float32Array(a.numLayers * a.hiddenSize);
    for (let l = 0; l < a.numLayers; l++) theirH.set(result[`hn${l}`].data as Float32Array, l * a.hiddenSize);
    for (const backend of ['wasm', 'typescript'] as const) {
      setKernelBackend(backend);
      const ours = model.session();
      if (spec.initialH) ours.h.set(start);
      const outputs = stepAll(ours, inputs);
      // A Softmax in the graph: ONNX Runtime gives probabilities, our step the logits.
      const compared = spec.head === 'gemm-softmax' ? outputs.map((o) => softmaxInto(new Float32Array(o.length), o)) : outputs;
      const worst = worstStep(compared, theirs);
      const worstH = maxAbsDiff(ours.h, theirH);
      console.log(`${runtimeName()}, import ${spec.name}, ${backend}: max |Δ| steps ${worst.toExponential(2)}, final h ${worstH.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
      expect(worstH).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(Math.max(...theirH.map(Math.abs))).toBeGreaterThan(0.05);
  });
});

function stepAll(session: Session, inputs: { tokens: number[]; rows: Float32Array[] }): Float32Array[] {
  const embedding = session.model.embedding !== null;
  return inputs.tokens.map((token, t) => (embedding ? session.step(token) : session.step(inputs.rows[t])).slice());
}

describe('malformed and unsupported GRU nodes: typed errors naming the node', () => {
  const architecture = gruCases('gru')[1].architecture; // 2 layers, dense 11 → H 13, linear head 3
  const graphOf = (): OnnxModel => toOnnxModel(createRandomModel(architecture, { seed: 9 }));
  const nodeOf = (model: OnnxModel, name: string): OnnxNode => model.graph.nodes.find((n) => n.name === name)!;
  const tensorOf = (model: OnnxModel, name: string): OnnxTensor => model.graph.initializers.find((t) => t.name === name)!;
  const setAttribute = (node: OnnxNode, attribute: OnnxAttribute): void => {
    node.attributes = node.attributes.filter((x) => x.name !== attribute.name).concat(attribute);
  };
  const cases: [string, (m: OnnxModel) => void, string, RegExp][] = [
    ['R with 4H rows', (m) => (tensorOf(m, 'layers.0.R').dims = [1, 52, 13]), ErrorCode.ONNX_INVALID, /layers\.0\.R/],
    ['R with 4H rows and data to match', (m) => {
      const r = tensorOf(m, 'layers.0.R');
      r.dims = [1, 52, 13];
      r.rawData = new Uint8Array(52 * 13 * 4);
    }, ErrorCode.TENSOR_SHAPE_MISMATCH, /node "layers\.0" \(GRU\): R has dims \[1,52,13\], expected \[1, 3·hidden_size, hidden_size\]/],
    ['W of the wrong height', (m) => {
      const w = tensorOf(m, 'layers.1.W');
      w.dims = [1, 26, 13];
      w.rawData = new Uint8Array(26 * 13 * 4);
    }, ErrorCode.TENSOR_SHAPE_MISMATCH, /node "layers\.1" \(GRU\): W has dims \[1,26,13\], expected \[1, 39, inputSize\]/],
    ['B of 3H (one bias half)', (m) => {
      const b = tensorOf(m, 'layers.0.B');
      b.dims = [1, 39];
      b.rawData = b.rawData!.slice(0, 39 * 4);
    }, ErrorCode.TENSOR_SHAPE_MISMATCH, /node "layers\.0" \(GRU\): B has dims \[1,39\], expected \[1, 78\]/],
    ['hidden_size that disagrees with R', (m) => setAttribute(nodeOf(m, 'layers.0'), intAttribute('hidden_size', 12)), ErrorCode.TENSOR_SHAPE_MISMATCH, /attribute hidden_size is 12/],
    ['linear_before_reset = 2', (m) => setAttribute(nodeOf(m, 'layers.1'), intAttribute('linear_before_reset', 2)), ErrorCode.ONNX_INVALID, /node "layers\.1" \(GRU\): attribute linear_before_reset is 2; expected 0 or 1/],
    ['activations [Sigmoid, Relu]', (m) => setAttribute(nodeOf(m, 'layers.0'), stringsAttribute('activations', ['Sigmoid', 'Relu'])), ErrorCode.ONNX_UNSUPPORTED, /node "layers\.0" \(GRU\): attribute activations is \[Sigmoid, Relu\]; supported: \[Sigmoid, Tanh\]/],
    ['bidirectional', (m) => setAttribute(nodeOf(m, 'layers.0'), stringAttribute('direction', 'bidirectional')), ErrorCode.ONNX_UNSUPPORTED, /node "layers\.0" \(GRU\): attribute direction is "bidirectional"/],
    ['clip', (m) => setAttribute(nodeOf(m, 'layers.1'), floatAttribute('clip', 2)), ErrorCode.ONNX_UNSUPPORTED, /node "layers\.1" \(GRU\): attribute clip/],
    ["an LSTM's attribute (input_forget)", (m) => setAttribute(nodeOf(m, 'layers.0'), intAttribute('input_forget', 0)), ErrorCode.ONNX_UNSUPPORTED, /attribute input_forget is not part of GRU/],
    ['sequence_lens', (m) => (nodeOf(m, 'layers.0').inputs[4] = 'lengths'), ErrorCode.ONNX_UNSUPPORTED, /node "layers\.0" \(GRU\): input 4 \(sequence_lens "lengths"\)/],
    ["an LSTM's seventh input (initial_c)", (m) => nodeOf(m, 'layers.0').inputs.push('c0'), ErrorCode.ONNX_INVALID, /node "layers\.0" \(GRU\) has 7 inputs; GRU takes at most 6/],
    ['a computed R', (m) => (nodeOf(m, 'layers.1').inputs[2] = 'layers.0.output'), ErrorCode.ONNX_UNSUPPORTED, /node "layers\.1" \(GRU\): input 2 \(R\) "layers\.0\.output" is not a constant/],
    ['a constant non-zero initial_h', (m) => {
      m.graph.initializers.push(floatTensor('h_start', [1, 1, 13], new Float32Array(13).fill(0.5)));
      nodeOf(m, 'layers.0').inputs[5] = 'h_start';
    }, ErrorCode.ONNX_UNSUPPORTED, /input 5 \(initial_h\) is a constant non-zero state/],
    ['a NaN in B', (m) => {
      const b = tensorOf(m, 'layers.1.B');
      new DataView(b.rawData!.buffer, b.rawData!.byteOffset).setFloat32(4 * 50, NaN, true); // in Rb: b_hh's own check
    }, ErrorCode.WEIGHT_NOT_FINITE, /bias/],
  ];
  it.each(cases)('%s', (_name, edit, code, message) => {
    const model = graphOf();
    edit(model);
    let error: unknown;
    try {
      importOnnx(encodeOnnx(model));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InteropError);
    expect((error as InteropError).code).toBe(code);
    expect((error as InteropError).message).toMatch(message);
  });
});
