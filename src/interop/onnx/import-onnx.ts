import { ErrorCode, LstmStreamError } from '../../errors.ts';
import type { Model } from '../../model/model.ts';
import { fromTorchStateDict, type TorchTensor } from '../../model/torch-state-dict.ts';
import { InteropError } from '../errors.ts';
import { AllocationBudget, resolveInteropLimits } from '../limits.ts';
import { withExtras } from '../model-extras.ts';
import { decodeOnnx, type DecodeOnnxOptions } from './decode-onnx.ts';
import { OnnxGraphIndex, attributeOf, describeNode } from './onnx-graph-index.ts';
import type { OnnxModel, OnnxNode } from './onnx-model.ts';
import { onnxGateLayoutOf, type OnnxGateLayout } from './onnx-gates.ts';
import { headOf } from './output-layer.ts';
import { cellOf, checkRecurrentNode, gateActivationOf, recurrentChain } from './recurrent-nodes.ts';
import { floatValues } from './tensor-values.ts';

/** Options of {@link importOnnx}: size limits, and the head kind when the graph does not say. */
export interface ImportOnnxOptions extends DecodeOnnxOptions {
  /**
   * The head's kind when the graph has an output layer without a Softmax or
   * LogSoftmax after it. Default: softmax for token (Gather) input, linear for dense input.
   */
  readonly head?: 'softmax' | 'linear';
}

/**
 * Reads an ONNX file whose recurrent part is a forward `LSTM`, `GRU` or
 * `RNN` node per layer (as torch.onnx.export writes nn.LSTM / nn.GRU /
 * nn.RNN; the nodes may differ in kind and hidden size, a mixed stack), with an optional `Gather` embedding before it and an optional
 * output layer after it (`MatMul` [+ `Add`] or `Gemm`, then optionally
 * `Softmax`/`LogSoftmax`), and builds the Model. Reorders gates to ours
 * (LSTM i, o, f, c → i, f, g, o; GRU z, r, h → r, z, n; onnx-gates.ts); an
 * LSTM's or RNN's Wb and Rb are summed into the fused bias, a GRU keeps both
 * ([Wb | Rb] → [b_ih | b_hh]); linear_before_reset 1 makes `gru`, 0
 * `gru-reset-before`; an LSTM's or GRU's activations [HardSigmoid, Tanh…]
 * (alpha 0.2, beta 0.5) make that layer's gates hard-sigmoid, per layer.
 * Initial-state inputs (h0, c0) become the session's state, which starts at zero.
 * Throws InteropError: PROTOBUF_INVALID / TRUNCATED for damaged bytes,
 * ONNX_UNSUPPORTED naming the node and attribute for what this library
 * cannot run (bidirectional, peepholes, custom activations, clip,
 * input_forget, sequence_lens, unknown ops on the main path),
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
  // Each node its own kind (and size, read from its R): a chain of LSTM, GRU and RNN nodes is a mixed stack.
  const cells = layers.map((node) => cellOf(node));
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

  layers.forEach((node, l) => {
    checkRecurrentNode(node, index);
    const gates = onnxGateLayoutOf(cells[l]);
    const gateCount = gates.gateCount;
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
    // PyTorch's names carry them on: fromTorchStateDict sums the two biases or (GRU) keeps them apart.
    tensors[`rnn.weight_ih_l${l}`] = { shape: [rows, inputSize], data: reorderGates(W, gates, H, inputSize, budget) };
    tensors[`rnn.weight_hh_l${l}`] = { shape: [rows, H], data: reorderGates(R, gates, H, H, budget) };
    tensors[`rnn.bias_ih_l${l}`] = { shape: [rows], data: reorderGates(bias.subarray(0, rows), gates, H, 1, budget) };
    tensors[`rnn.bias_hh_l${l}`] = { shape: [rows], data: reorderGates(bias.subarray(rows), gates, H, 1, budget) };
  });

  const last = layers[layers.length - 1];
  const head = headOf(index, last, budget);
  if (head !== null) {
    tensors['out.weight'] = { shape: [head.outputSize, head.hiddenSize], data: head.weight };
    if (head.bias !== null) tensors['out.bias'] = { shape: [head.outputSize], data: head.bias };
  }
  try {
    const built = fromTorchStateDict(tensors, { cells, head: head?.softmax ? 'softmax' : options.head, gateActivations: layers.map(gateActivationOf) });
    const strings: Record<string, string> = Object.create(null);
    for (const { key, value } of model.metadataProps) strings[key] = value;
    return withExtras(built, strings, 'ONNX metadata_props', ErrorCode.ONNX_INVALID);
  } catch (error) {
    if (error instanceof LstmStreamError && !(error instanceof InteropError)) {
      throw new InteropError(error.code, `ONNX graph: ${error.message} (rnn.*_l{k} is the k-th recurrent node, emb.weight the Gather table, out.* the output layer)`, { cause: error });
    }
    throw error;
  }
}

/** ONNX gate blocks of [gateCount·H × width] in our order (LSTM i, o, f, c → i, f, g, o; GRU z, r, h → r, z, n); one block (Elman) is returned as is. */
function reorderGates(values: Float32Array, gates: OnnxGateLayout, H: number, width: number, budget: AllocationBudget): Float32Array {
  if (gates.gateCount === 1) return values;
  const out = budget.float32(values.length, 'the reordered gate weights');
  const block = H * width;
  gates.onnxBlockOfOurs.forEach((from, k) => out.set(values.subarray(from * block, (from + 1) * block), k * block));
  return out;
}
