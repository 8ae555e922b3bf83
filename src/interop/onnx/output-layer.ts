import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';
import type { AllocationBudget } from '../limits.ts';
import { OnnxGraphIndex, attributeOf, describeNode } from './onnx-graph-index.ts';
import type { OnnxNode } from './onnx-model.ts';
import { floatValues } from './tensor-values.ts';

/** The output layer found after the stack: V [outputSize × hiddenSize] row-major, b, and whether a softmax follows. */
export interface HeadTensors {
  readonly weight: Float32Array;
  readonly bias: Float32Array | null;
  readonly outputSize: number;
  readonly hiddenSize: number;
  readonly softmax: boolean;
}

/**
 * The output layer between the top layer's Y and the first graph output
 * computed from Y: walks back from that output through [Softmax|LogSoftmax]
 * [Add] (MatMul|Gemm), skipping layout ops. Null when the output is Y
 * itself. Other outputs (h_n, c_n, or further views of Y) are not the
 * model's and are left alone. Cold path: linear in the graph size.
 */
export function headOf(index: OnnxGraphIndex, top: OnnxNode, budget: AllocationBudget): HeadTensors | null {
  const y = top.outputs[0];
  const dependents = index.dependentsOf(y);
  const output = index.graph.outputs.find((o) => dependents.has(o.name));
  if (output === undefined) {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `no graph output depends on the top layer's Y (${JSON.stringify(y)}); the stack's output must be a graph output`);
  }
  return traceHead(index, output.name, y, budget);
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

