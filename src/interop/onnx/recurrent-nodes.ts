import type { CellKind, GateActivation } from '../../cells/cell.ts';
import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';
import { OnnxGraphIndex, attributeOf, describeNode, type Producer } from './onnx-graph-index.ts';
import type { OnnxNode, OnnxTensor } from './onnx-model.ts';

const ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  LSTM: new Set(['hidden_size', 'direction', 'activations', 'activation_alpha', 'activation_beta', 'clip', 'input_forget', 'layout']),
  GRU: new Set(['hidden_size', 'direction', 'activations', 'activation_alpha', 'activation_beta', 'clip', 'linear_before_reset', 'layout']),
  RNN: new Set(['hidden_size', 'direction', 'activations', 'activation_alpha', 'activation_beta', 'clip', 'layout']),
};
// The activations our cells compute, as ONNX names them (f, g[, h]); f is the gate activation.
const ACTIVATIONS: Readonly<Record<string, readonly string[]>> = {
  LSTM: ['Sigmoid,Tanh,Tanh', 'HardSigmoid,Tanh,Tanh'],
  GRU: ['Sigmoid,Tanh', 'HardSigmoid,Tanh'],
  RNN: ['Tanh', 'Relu'],
};
// ONNX HardSigmoid's defaults, and the only parameters our hard sigmoid has: clip(0.2·x + 0.5, 0, 1).
// Attributes are float32, so they are compared as float32.
const HARD_SIGMOID_ALPHA = Math.fround(0.2);
const HARD_SIGMOID_BETA = Math.fround(0.5);
// Inputs after X, W, R, B, sequence_lens: initial_h (5), initial_c (6, LSTM), P (7, LSTM).
const MAX_INPUTS: Readonly<Record<string, number>> = { LSTM: 8, GRU: 6, RNN: 6 };

/** True for the recurrent operators of the default ONNX domain. */
function isRecurrent(node: OnnxNode): boolean {
  return Object.hasOwn(ATTRIBUTES, node.opType) && (node.domain === '' || node.domain === 'ai.onnx');
}

/**
 * The graph's LSTM, GRU or RNN nodes as one stack, bottom first: each one's X
 * is the Y of the one below (through layout ops). Throws ONNX_UNSUPPORTED for
 * no recurrent node, two stacks, branches or mixed cell kinds (a GRU stack
 * whose layers differ in linear_before_reset is mixed).
 * Cold path: linear in the number of nodes.
 */
export function recurrentChain(index: OnnxGraphIndex): OnnxNode[] {
  const recurrent = index.graph.nodes.filter(isRecurrent);
  if (recurrent.length === 0) throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, 'the ONNX graph has no LSTM, GRU or RNN node');
  // One pass each way, so a hostile graph of many recurrent nodes costs linear time.
  const recurrentSet = new Set(recurrent);
  const above = new Map<OnnxNode, OnnxNode>();
  const bottoms: OnnxNode[] = [];
  for (const node of recurrent) {
    if (node.inputs.length < 3) throw new InteropError(ErrorCode.ONNX_INVALID, `${describeNode(node)} has ${node.inputs.length} inputs; X, W and R are required`);
    if (node.outputs.length === 0 || node.outputs[0] === '') {
      throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(node)} has no Y output; only stacks whose layers pass on their whole sequence are supported`);
    }
    const producer: Producer | null = index.producer(index.skipLayout(node.inputs[0]));
    if (producer === null || producer.index !== 0 || !recurrentSet.has(producer.node)) {
      bottoms.push(node);
      continue;
    }
    if (above.has(producer.node)) {
      throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${describeNode(producer.node)} feeds two recurrent nodes (${describeNode(above.get(producer.node)!)}, ${describeNode(node)}); one stack is supported`);
    }
    above.set(producer.node, node);
  }
  if (bottoms.length !== 1) {
    const named = bottoms.slice(0, 4).map(describeNode).join(', ') + (bottoms.length > 4 ? ', …' : '');
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `the graph has ${bottoms.length} recurrent stacks (${named}); one stack is supported`);
  }
  const chain = [bottoms[0]];
  for (let next = above.get(bottoms[0]); next !== undefined && chain.length <= recurrent.length; next = above.get(next)) chain.push(next);
  if (chain.length !== recurrent.length) {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${recurrent.length - chain.length} recurrent node(s) are not part of the stack that starts at ${describeNode(chain[0])}`);
  }
  // The nodes may differ in kind and size (a mixed stack): each becomes its own layer.
  return chain;
}

/**
 * The cell kind of an LSTM, GRU or RNN node: a GRU's linear_before_reset
 * picks the variant (1: `gru`, r applied after the hidden product as in
 * PyTorch; 0, the default: `gru-reset-before`), an RNN's activations tanh or ReLU.
 */
export function cellOf(node: OnnxNode): CellKind {
  if (node.opType === 'LSTM') return 'lstm';
  if (node.opType === 'GRU') return (attributeOf(node, 'linear_before_reset')?.i ?? 0) !== 0 ? 'gru' : 'gru-reset-before';
  const activations = attributeOf(node, 'activations')?.strings.map(text) ?? [];
  return activations.length === 1 && activations[0] === 'Relu' ? 'rnn-relu' : 'rnn-tanh';
}

/**
 * The gate activation of an LSTM or GRU node: `hard-sigmoid` when its
 * activations attribute starts with HardSigmoid (checkRecurrentNode has
 * checked the parameters), otherwise `sigmoid` (also for RNN nodes, which have no gates).
 */
export function gateActivationOf(node: OnnxNode): GateActivation {
  if (node.opType === 'RNN') return 'sigmoid';
  const first = attributeOf(node, 'activations')?.strings[0];
  return first !== undefined && text(first) === 'HardSigmoid' ? 'hard-sigmoid' : 'sigmoid';
}

/**
 * Throws ONNX_UNSUPPORTED naming the node and the attribute or input for
 * every feature our cells do not compute: other directions, custom
 * activations and their parameters (HardSigmoid gates are supported with
 * alpha 0.2 and beta 0.5, its defaults), clip, input_forget, layout 1,
 * sequence_lens, peepholes, and initial states that are neither graph
 * inputs nor zeros; ONNX_INVALID for a linear_before_reset other than 0 or 1
 * and for more inputs than the operator has. Cold path.
 */
export function checkRecurrentNode(node: OnnxNode, index: OnnxGraphIndex): void {
  const op = node.opType;
  const lstm = op === 'LSTM';
  const where = describeNode(node);
  const unsupported = (what: string): never => {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${where}: ${what}`);
  };
  for (const attribute of node.attributes) {
    if (!ATTRIBUTES[op].has(attribute.name)) unsupported(`attribute ${attribute.name} is not part of ${op} and is not supported`);
  }
  const linearBeforeReset = attributeOf(node, 'linear_before_reset')?.i ?? 0;
  if (linearBeforeReset !== 0 && linearBeforeReset !== 1) {
    throw new InteropError(ErrorCode.ONNX_INVALID, `${where}: attribute linear_before_reset is ${linearBeforeReset}; expected 0 or 1`);
  }
  const direction = attributeOf(node, 'direction');
  if (direction !== null && direction.s !== null && text(direction.s) !== 'forward') {
    unsupported(`attribute direction is ${JSON.stringify(text(direction.s))}; only forward layers are supported (bidirectional and reverse need the whole sequence before the first output)`);
  }
  const activations = attributeOf(node, 'activations');
  if (activations !== null) {
    const names = activations.strings.map(text);
    const supported = ACTIVATIONS[op];
    if (!supported.includes(names.join(','))) unsupported(`attribute activations is [${names.join(', ')}]; supported: ${supported.map((s) => `[${s.split(',').join(', ')}]`).join(' or ')}`);
  }
  // Only HardSigmoid (as f) takes parameters here, the first alpha and beta (ONNX consumes them in the
  // order of the activations that use them); they must be its defaults, which our hard sigmoid computes.
  const hard = gateActivationOf(node) === 'hard-sigmoid';
  const alpha = attributeOf(node, 'activation_alpha');
  const beta = attributeOf(node, 'activation_beta');
  for (const [name, attribute, expected] of [['activation_alpha', alpha, HARD_SIGMOID_ALPHA], ['activation_beta', beta, HARD_SIGMOID_BETA]] as const) {
    if (attribute === null) continue;
    if (!hard) unsupported(`attribute ${name} (parameters of custom activations) is not supported`);
    if (attribute.floats.length > 1 || (attribute.floats.length === 1 && Math.fround(attribute.floats[0]) !== expected)) {
      // float32 values, shown as their shortest float32 decimal (0.3, not 0.30000001192092896).
      unsupported(`attribute ${name} is [${attribute.floats.map((v) => Number(v.toPrecision(7))).join(', ')}]; HardSigmoid gates are supported with alpha 0.2 and beta 0.5 only (clip(0.2x + 0.5, 0, 1), TensorFlow.js's and Keras's)`);
    }
  }
  if (attributeOf(node, 'clip') !== null) unsupported('attribute clip (cell clipping) is not supported');
  if ((attributeOf(node, 'input_forget')?.i ?? 0) !== 0) unsupported('attribute input_forget (coupled input and forget gates) is not supported');
  if ((attributeOf(node, 'layout')?.i ?? 0) !== 0) unsupported('attribute layout = 1 (batch-first tensors) is not supported; export with layout 0');
  const maxInputs = MAX_INPUTS[op];
  if (node.inputs.length > maxInputs) throw new InteropError(ErrorCode.ONNX_INVALID, `${where} has ${node.inputs.length} inputs; ${op} takes at most ${maxInputs}`);
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

function isAllZero(tensor: OnnxTensor): boolean {
  const data = tensor.rawData;
  if (data !== null) return data.every((b) => b === 0);
  return [tensor.floatData, tensor.doubleData, tensor.int32Data, tensor.int64Data].every((list) => list.every((v) => v === 0));
}

const utf8 = new TextDecoder();
function text(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
