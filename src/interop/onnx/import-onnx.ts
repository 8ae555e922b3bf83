import type { CellKind } from '../../cells/cell.ts';
import { ErrorCode, LstmStreamError } from '../../errors.ts';
import type { Model } from '../../model/model.ts';
import { fromTorchStateDict, type TorchTensor } from '../../model/torch-state-dict.ts';
import { InteropError } from '../errors.ts';
import { AllocationBudget, resolveInteropLimits } from '../limits.ts';
import { decodeOnnx, type DecodeOnnxOptions } from './decode-onnx.ts';
import { OnnxGraphIndex, attributeOf, describeNode, type Producer } from './onnx-graph-index.ts';
import type { OnnxModel, OnnxNode, OnnxTensor } from './onnx-model.ts';
import { floatValues } from './tensor-values.ts';

/** Options of {@link importOnnx}: size limits, and the head kind when the graph does not say. */
export interface ImportOnnxOptions extends DecodeOnnxOptions {
  /**
   * The head's kind when the graph has an output layer without a Softmax or
   * LogSoftmax after it. Default: softmax for token (Gather) input, linear for dense input.
   */
  readonly head?: 'softmax' | 'linear';
}

// ONNX stacks LSTM gate blocks as i, o, f, c; ours are i, f, g (= c), o.
// Our block k comes from ONNX block ONNX_BLOCK_OF[k].
const ONNX_BLOCK_OF = [0, 2, 3, 1];
const LSTM_ATTRIBUTES = new Set(['hidden_size', 'direction', 'activations', 'activation_alpha', 'activation_beta', 'clip', 'input_forget', 'layout']);
const RNN_ATTRIBUTES = new Set(['hidden_size', 'direction', 'activations', 'activation_alpha', 'activation_beta', 'clip', 'layout']);

/**
 * Reads an ONNX file whose recurrent part is a forward `LSTM` or `RNN` node
 * per layer (as torch.onnx.export writes nn.LSTM / nn.RNN), with an optional
 * `Gather` embedding before it and an optional output layer after it
 * (`MatMul` [+ `Add`] or `Gemm`, then optionally `Softmax`/`LogSoftmax`),
 * and builds the Model. Reorders LSTM gates from ONNX's i, o, f, c to
 * i, f, g, o and sums Wb and Rb into the fused bias. Initial-state inputs
 * (h0, c0) become the session's state, which starts at zero.
 * Throws InteropError: PROTOBUF_INVALID / TRUNCATED for damaged bytes,
 * ONNX_UNSUPPORTED naming the node and attribute for what this library
 * cannot run (bidirectional, peepholes, custom activations, clip,
 * input_forget, sequence_lens, GRU, unknown ops on the main path),
 * ONNX_INVALID for an inconsistent graph, LIMIT_EXCEEDED, and the model
 * codes (TENSOR_SHAPE_MISMATCH, WEIGHT_NOT_FINITE …) for bad weights.
 * Cold path: decodes once and copies every weight once into f32.
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): Model {
  const budget = options.budget ?? new AllocationBudget(resolveInteropLimits(options));
  return fromOnnxModel(decodeOnnx(bytes, { ...options, budget }), { ...options, budget });
}

/** {@link importOnnx} for an already decoded ONNX model. */
export function fromOnnxModel(model: OnnxModel, options: ImportOnnxOptions = {}): Model {
  const budget = options.budget ?? new AllocationBudget(resolveInteropLimits(options));
  const index = new OnnxGraphIndex(model.graph);
  const layers = recurrentChain(index);
  const cell = cellOf(layers[0]);
  const tensors: Record<string, TorchTensor> = {};
  const constant = (node: OnnxNode, position: number, role: string): { values: Float32Array; dims: number[] } => {
    const name = node.inputs[position] ?? '';
    const tensor = name === '' ? null : index.constant(name);
    if (tensor === null) {
      throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: input ${position} (${role}) ${name === '' ? 'is missing' : `${JSON.stringify(name)} is not a constant`}; weights must be initializers or Constant nodes`);
    }
    return { values: floatValues(tensor, budget, `${describeNode(node)} ${role} ${JSON.stringify(name)}`), dims: tensor.dims };
  };

  // Input: a Gather from a constant table (token ids), or the graph input itself (dense vectors).
  const source = index.skipLayout(layers[0].inputs[0] ?? '');
  const sourceProducer = index.producer(source);
  if (sourceProducer !== null && sourceProducer.node.opType === 'Gather') {
    const gather = sourceProducer.node;
    const axis = attributeOf(gather, 'axis')?.i ?? 0;
    if (axis !== 0) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(gather)}: attribute axis is ${axis}; an embedding lookup gathers rows (axis 0)`);
    const { values: table, dims } = constant(gather, 0, 'embedding table');
    if (dims.length !== 2) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(gather)}: the embedding table has dims [${dims}], expected [vocabSize, inputSize]`);
    if (!index.isGraphInput(index.skipLayout(gather.inputs[1] ?? ''))) {
      throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(gather)}: the token ids (input 1) must come from a graph input`);
    }
    tensors['emb.weight'] = { shape: dims, data: table };
  } else if (!index.isGraphInput(source)) {
    const what = sourceProducer === null ? `value ${JSON.stringify(source)}` : describeNode(sourceProducer.node);
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `the first recurrent layer ${describeNode(layers[0])} reads ${what}; expected a graph input or a Gather embedding`);
  }

  const gateCount = cell === 'lstm' ? 4 : 1;
  layers.forEach((node, l) => {
    checkRecurrentNode(node, index);
    const { values: W, dims: wDims } = constant(node, 1, 'W');
    const { values: R, dims: rDims } = constant(node, 2, 'R');
    if (rDims.length !== 3 || rDims[0] !== 1 || rDims[1] % gateCount !== 0 || rDims[2] * gateCount !== rDims[1]) {
      throw new InteropError(ErrorCode.TENSOR_SHAPE_MISMATCH, `${describeNode(node)}: R has dims [${rDims}], expected [1, ${gateCount}·hidden_size, hidden_size]`);
    }
    const H = rDims[2];
    const hiddenAttribute = attributeOf(node, 'hidden_size');
    if (hiddenAttribute !== null && hiddenAttribute.i !== H) {
      throw new InteropError(ErrorCode.TENSOR_SHAPE_MISMATCH, `${describeNode(node)}: attribute hidden_size is ${hiddenAttribute.i}, but R has dims [${rDims}]`);
    }
    if (wDims.length !== 3 || wDims[0] !== 1 || wDims[1] !== gateCount * H) {
      throw new InteropError(ErrorCode.TENSOR_SHAPE_MISMATCH, `${describeNode(node)}: W has dims [${wDims}], expected [1, ${gateCount * H}, inputSize]`);
    }
    const inputSize = wDims[2];
    const rows = gateCount * H;
    const bias = budget.float32(2 * rows, `${describeNode(node)} B`);
    if ((node.inputs[3] ?? '') !== '') {
      const { values: B, dims: bDims } = constant(node, 3, 'B');
      if (bDims.length !== 2 || bDims[0] !== 1 || bDims[1] !== 2 * rows) {
        throw new InteropError(ErrorCode.TENSOR_SHAPE_MISMATCH, `${describeNode(node)}: B has dims [${bDims}], expected [1, ${2 * rows}]`);
      }
      bias.set(B);
    }
    tensors[`rnn.weight_ih_l${l}`] = { shape: [rows, inputSize], data: reorderGates(W, gateCount, H, inputSize, budget) };
    tensors[`rnn.weight_hh_l${l}`] = { shape: [rows, H], data: reorderGates(R, gateCount, H, H, budget) };
    tensors[`rnn.bias_ih_l${l}`] = { shape: [rows], data: reorderGates(bias.subarray(0, rows), gateCount, H, 1, budget) };
    tensors[`rnn.bias_hh_l${l}`] = { shape: [rows], data: reorderGates(bias.subarray(rows), gateCount, H, 1, budget) };
  });

  const last = layers[layers.length - 1];
  const head = headOf(index, last, budget);
  if (head !== null) {
    tensors['out.weight'] = { shape: [head.outputSize, head.hiddenSize], data: head.weight };
    if (head.bias !== null) tensors['out.bias'] = { shape: [head.outputSize], data: head.bias };
  }
  try {
    return fromTorchStateDict(tensors, { cell, head: head?.softmax ? 'softmax' : options.head });
  } catch (error) {
    if (error instanceof LstmStreamError && !(error instanceof InteropError)) {
      throw new InteropError(error.code, `ONNX graph: ${error.message} (rnn.*_l{k} is the k-th recurrent node, emb.weight the Gather table, out.* the output layer)`, { cause: error });
    }
    throw error;
  }
}

/** The recurrent nodes, bottom first: each one's input is the one below's Y (through layout ops). */
function recurrentChain(index: OnnxGraphIndex): OnnxNode[] {
  const nodes = index.graph.nodes;
  for (const node of nodes) {
    if (node.opType === 'GRU') throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: GRU cells are not supported (LSTM and RNN are)`);
  }
  const recurrent = nodes.filter((n) => (n.opType === 'LSTM' || n.opType === 'RNN') && (n.domain === '' || n.domain === 'ai.onnx'));
  if (recurrent.length === 0) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, 'the ONNX graph has no LSTM or RNN node');
  const below = new Map<OnnxNode, OnnxNode | null>();
  for (const node of recurrent) {
    if (node.inputs.length < 3) throw new InteropError(ErrorCode.ONNX_INVALID, `${describeNode(node)} has ${node.inputs.length} inputs; X, W and R are required`);
    if (node.outputs.length === 0 || node.outputs[0] === '') {
      throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)} has no Y output; only stacks whose layers pass on their whole sequence are supported`);
    }
    const producer: Producer | null = index.producer(index.skipLayout(node.inputs[0]));
    below.set(node, producer !== null && producer.index === 0 && recurrent.includes(producer.node) ? producer.node : null);
  }
  const bottoms = recurrent.filter((n) => below.get(n) === null);
  if (bottoms.length !== 1) {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `the graph has ${bottoms.length} recurrent stacks (${bottoms.map(describeNode).join(', ')}); one stack is supported`);
  }
  const chain = [bottoms[0]];
  for (;;) {
    const top = chain[chain.length - 1];
    const above = recurrent.filter((n) => below.get(n) === top);
    if (above.length > 1) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(top)} feeds ${above.length} recurrent nodes; one stack is supported`);
    if (above.length === 0) break;
    chain.push(above[0]);
  }
  if (chain.length !== recurrent.length) {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${recurrent.length - chain.length} recurrent node(s) are not part of the stack that starts at ${describeNode(chain[0])}`);
  }
  const kinds = new Set(chain.map((n) => cellOf(n)));
  if (kinds.size > 1) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `the stack mixes ${[...kinds].join(' and ')} layers; a stack has one cell kind`);
  return chain;
}

/** The cell kind of an LSTM or RNN node (its activations attribute picks tanh or ReLU). */
function cellOf(node: OnnxNode): CellKind {
  if (node.opType === 'LSTM') return 'lstm';
  const activations = attributeOf(node, 'activations')?.strings.map(text) ?? [];
  return activations.length === 1 && activations[0] === 'Relu' ? 'rnn-relu' : 'rnn-tanh';
}

/** Throws ONNX_UNSUPPORTED naming the attribute or input for every feature our cells do not compute. */
function checkRecurrentNode(node: OnnxNode, index: OnnxGraphIndex): void {
  const lstm = node.opType === 'LSTM';
  const where = describeNode(node);
  const unsupported = (what: string): never => {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${where}: ${what}`);
  };
  for (const attribute of node.attributes) {
    if (!(lstm ? LSTM_ATTRIBUTES : RNN_ATTRIBUTES).has(attribute.name)) unsupported(`attribute ${attribute.name} is not part of ${node.opType} and is not supported`);
  }
  const direction = attributeOf(node, 'direction');
  if (direction !== null && direction.s !== null && text(direction.s) !== 'forward') {
    unsupported(`attribute direction is ${JSON.stringify(text(direction.s))}; only forward layers are supported (bidirectional and reverse need the whole sequence before the first output)`);
  }
  const activations = attributeOf(node, 'activations');
  if (activations !== null) {
    const names = activations.strings.map(text);
    const ok = lstm ? names.join(',') === 'Sigmoid,Tanh,Tanh' : names.length === 1 && (names[0] === 'Tanh' || names[0] === 'Relu');
    if (!ok) unsupported(`attribute activations is [${names.join(', ')}]; supported: ${lstm ? '[Sigmoid, Tanh, Tanh]' : '[Tanh] or [Relu]'}`);
  }
  for (const name of ['activation_alpha', 'activation_beta']) {
    if (attributeOf(node, name) !== null) unsupported(`attribute ${name} (parameters of custom activations) is not supported`);
  }
  if (attributeOf(node, 'clip') !== null) unsupported('attribute clip (cell clipping) is not supported');
  if ((attributeOf(node, 'input_forget')?.i ?? 0) !== 0) unsupported('attribute input_forget (coupled input and forget gates) is not supported');
  if ((attributeOf(node, 'layout')?.i ?? 0) !== 0) unsupported('attribute layout = 1 (batch-first tensors) is not supported; export with layout 0');
  const maxInputs = lstm ? 8 : 6;
  if (node.inputs.length > maxInputs) throw new InteropError(ErrorCode.ONNX_INVALID, `${where} has ${node.inputs.length} inputs; ${node.opType} takes at most ${maxInputs}`);
  if ((node.inputs[4] ?? '') !== '') unsupported(`input 4 (sequence_lens ${JSON.stringify(node.inputs[4])}) is not supported; a stream has no fixed length`);
  if (lstm && (node.inputs[7] ?? '') !== '') unsupported(`input 7 (P, peephole weights ${JSON.stringify(node.inputs[7])}) is not supported`);
  const stateInputs = lstm ? [5, 6] : [5];
  for (const position of stateInputs) {
    const name = node.inputs[position] ?? '';
    if (name === '') continue;
    const role = position === 5 ? 'initial_h' : 'initial_c';
    const tensor = index.constant(name);
    if (tensor !== null && !index.isGraphInput(name)) {
      if (!isAllZero(tensor)) unsupported(`input ${position} (${role}) is a constant non-zero state; sessions start from zero`);
    } else if (!index.isStateInput(name)) {
      unsupported(`input ${position} (${role}) is computed by the graph; only graph inputs (sliced per layer) can set the initial state`);
    }
  }
}

interface HeadTensors {
  readonly weight: Float32Array;
  readonly bias: Float32Array | null;
  readonly outputSize: number;
  readonly hiddenSize: number;
  readonly softmax: boolean;
}

/**
 * The output layer between the top layer's Y and a graph output: walks back
 * from each graph output that depends on Y through [Softmax|LogSoftmax]
 * [Add] (MatMul|Gemm), skipping layout ops. Null when an output is Y itself.
 */
function headOf(index: OnnxGraphIndex, top: OnnxNode, budget: AllocationBudget): HeadTensors | null {
  const y = top.outputs[0];
  const mainOutputs = index.graph.outputs.filter((o) => index.dependsOn(o.name, y));
  if (mainOutputs.length === 0) {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `no graph output depends on the top layer's Y (${JSON.stringify(y)}); the stack's output must be a graph output`);
  }
  let found: HeadTensors | null | undefined;
  for (const output of mainOutputs) {
    const head = traceHead(index, output.name, y, budget);
    if (found === undefined) found = head;
  }
  return found ?? null;
}

function traceHead(index: OnnxGraphIndex, outputName: string, y: string, budget: AllocationBudget): HeadTensors | null {
  let softmax = false;
  let bias: Float32Array | null = null;
  let seenAdd = false;
  let current = index.skipLayout(outputName);
  const floats = (node: OnnxNode, position: number, role: string): { values: Float32Array; dims: number[] } => {
    const tensor = index.constant(node.inputs[position] ?? '');
    if (tensor === null) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: input ${position} (${role}) must be a constant`);
    return { values: floatValues(tensor, budget, `${describeNode(node)} ${role}`), dims: tensor.dims };
  };
  for (let steps = 0; steps <= index.graph.nodes.length; steps++) {
    if (current === y) {
      if (seenAdd) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `an Add on the top layer's output without a MatMul or Gemm is not an output layer`);
      return null;
    }
    const producer = index.producer(current);
    if (producer === null) break;
    const node = producer.node;
    const rest = (position: number): string => index.skipLayout(node.inputs[position] ?? '');
    if ((node.opType === 'Softmax' || node.opType === 'LogSoftmax') && !softmax && !seenAdd) {
      softmax = true;
      current = rest(0);
    } else if (node.opType === 'Add' && !seenAdd) {
      seenAdd = true;
      const constantAt = index.constant(node.inputs[1] ?? '') !== null ? 1 : 0;
      bias = floats(node, constantAt, 'bias').values;
      current = rest(1 - constantAt);
    } else if (node.opType === 'MatMul') {
      const { values, dims } = floats(node, 1, 'weight');
      if (dims.length !== 2) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: the weight has dims [${dims}], expected [hiddenSize, outputSize]`);
      if (rest(0) !== y) break;
      return finishHead(node, transpose(values, dims[0], dims[1], budget), dims[1], dims[0], bias, softmax);
    } else if (node.opType === 'Gemm') {
      const alpha = attributeOf(node, 'alpha')?.f ?? 1;
      const beta = attributeOf(node, 'beta')?.f ?? 1;
      if ((attributeOf(node, 'transA')?.i ?? 0) !== 0) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: attribute transA = 1 is not supported`);
      const transB = (attributeOf(node, 'transB')?.i ?? 0) !== 0;
      const { values, dims } = floats(node, 1, 'weight');
      if (dims.length !== 2) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: the weight has dims [${dims}], expected 2 dimensions`);
      const [outputSize, hiddenSize] = transB ? dims : [dims[1], dims[0]];
      const weight = transB ? values : transpose(values, dims[0], dims[1], budget);
      for (let i = 0; i < weight.length; i++) weight[i] *= alpha;
      let gemmBias = bias;
      if ((node.inputs[2] ?? '') !== '') {
        const c = floats(node, 2, 'C').values;
        if (c.length !== outputSize) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: C has ${c.length} values; only a bias of ${outputSize} is supported`);
        for (let i = 0; i < c.length; i++) c[i] *= beta;
        if (gemmBias !== null && gemmBias.length === c.length) for (let i = 0; i < c.length; i++) c[i] += gemmBias[i];
        else if (gemmBias !== null) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)}: the Add after it has ${gemmBias.length} values, expected ${outputSize}`);
        gemmBias = c;
      }
      if (rest(0) !== y) break;
      return finishHead(node, weight, outputSize, hiddenSize, gemmBias, softmax);
    } else {
      throw new InteropError(
        ErrorCode.ONNX_UNSUPPORTED,
        `${describeNode(node)} lies between the top recurrent layer and graph output ${JSON.stringify(outputName)}; supported there: MatMul + Add or Gemm, then Softmax or LogSoftmax`,
      );
    }
  }
  throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `graph output ${JSON.stringify(outputName)} is not the top layer's Y through one output layer`);
}

function finishHead(node: OnnxNode, weight: Float32Array, outputSize: number, hiddenSize: number, bias: Float32Array | null, softmax: boolean): HeadTensors {
  if (bias !== null && bias.length !== outputSize) {
    throw new InteropError(ErrorCode.TENSOR_SHAPE_MISMATCH, `the bias added after ${describeNode(node)} has ${bias.length} values, expected ${outputSize}`);
  }
  return { weight, bias, outputSize, hiddenSize, softmax };
}

/** [rows × cols] → [cols × rows]. */
function transpose(values: Float32Array, rows: number, cols: number, budget: AllocationBudget): Float32Array {
  const out = budget.float32(rows * cols, 'the transposed output weight');
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/** ONNX gate blocks (i, o, f, c) of [4H × width] → ours (i, f, g, o); one block (Elman) is copied as is. */
function reorderGates(values: Float32Array, gateCount: number, H: number, width: number, budget: AllocationBudget): Float32Array {
  if (gateCount === 1) return values;
  const out = budget.float32(values.length, 'the reordered gate weights');
  const block = H * width;
  for (let k = 0; k < 4; k++) out.set(values.subarray(ONNX_BLOCK_OF[k] * block, (ONNX_BLOCK_OF[k] + 1) * block), k * block);
  return out;
}

function isAllZero(tensor: OnnxTensor): boolean {
  const data = tensor.rawData;
  if (data !== null) return data.every((b) => b === 0);
  return [tensor.floatData, tensor.doubleData, tensor.int32Data, tensor.int64Data].every((list) => list.every((v) => v === 0));
}

const utf8 = new TextDecoder();
function text(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
