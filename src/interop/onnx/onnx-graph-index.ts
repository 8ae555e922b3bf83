import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';
import { OnnxAttributeType, OnnxDataType, emptyTensor, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx-model.ts';

/** Where a value comes from: output `index` of `node`. */
export interface Producer {
  readonly node: OnnxNode;
  readonly index: number;
}

// Ops that only regroup dimensions. With one direction and batch 1 every
// dimension they add or drop has size 1, so a step's values pass unchanged.
const LAYOUT_OPS = new Set(['Identity', 'Squeeze', 'Unsqueeze', 'Reshape', 'Flatten', 'Dropout']);

/**
 * Lookups over a decoded ONNX graph: which node produces a value, which
 * values are constants (initializers and Constant nodes), which are graph
 * inputs, and walks back through layout-only ops. Every walk is bounded by
 * the node count, so a malformed (cyclic) graph cannot hang it. Cold path.
 */
export class OnnxGraphIndex {
  readonly graph: OnnxGraph;
  private readonly producers = new Map<string, Producer>();
  private readonly constants = new Map<string, OnnxTensor>();
  private readonly graphInputs = new Set<string>();

  constructor(graph: OnnxGraph) {
    this.graph = graph;
    for (const tensor of graph.initializers) this.constants.set(tensor.name, tensor);
    for (const input of graph.inputs) if (!this.constants.has(input.name)) this.graphInputs.add(input.name);
    for (const node of graph.nodes) {
      node.outputs.forEach((output, index) => {
        if (output === '') return;
        if (this.producers.has(output) || this.constants.has(output) || this.graphInputs.has(output)) {
          throw new InteropError(ErrorCode.ONNX_INVALID, `value ${JSON.stringify(output)} is produced twice (again by ${describeNode(node)})`);
        }
        this.producers.set(output, { node, index });
      });
      if (node.opType === 'Constant' && node.outputs.length === 1) {
        const tensor = constantValue(node);
        if (tensor !== null) this.constants.set(node.outputs[0], tensor);
      }
    }
  }

  /** The node output that makes `name`, or null for graph inputs, initializers and unknown names. */
  producer(name: string): Producer | null {
    return this.producers.get(name) ?? null;
  }

  /** The constant tensor named `name` (initializer or Constant node), or null. */
  constant(name: string): OnnxTensor | null {
    return this.constants.get(name) ?? null;
  }

  /** True when `name` is a graph input that is not an initializer. */
  isGraphInput(name: string): boolean {
    return this.graphInputs.has(name);
  }

  /** Follows `name` back through layout-only ops to the value they carry. Memoized: each value is walked once. */
  skipLayout(name: string): string {
    const path: string[] = [];
    let current = name;
    for (;;) {
      const known = this.layoutSources.get(current);
      if (known !== undefined) {
        current = known;
        break;
      }
      const producer = this.producers.get(current);
      if (producer === undefined || producer.index !== 0 || !LAYOUT_OPS.has(producer.node.opType) || producer.node.inputs.length === 0) break;
      path.push(current);
      if (path.length > this.graph.nodes.length) {
        throw new InteropError(ErrorCode.ONNX_INVALID, `value ${JSON.stringify(name)} depends on itself (the graph has a cycle)`);
      }
      current = producer.node.inputs[0];
    }
    for (const value of path) this.layoutSources.set(value, current);
    return current;
  }

  /**
   * The values computed (through any nodes) from value `source`, `source`
   * included: one forward pass over the graph's edges.
   */
  dependentsOf(source: string): Set<string> {
    const consumers = new Map<string, OnnxNode[]>();
    for (const node of this.graph.nodes) {
      for (const input of node.inputs) {
        if (input === '') continue;
        const list = consumers.get(input);
        if (list === undefined) consumers.set(input, [node]);
        else list.push(node);
      }
    }
    const reached = new Set([source]);
    const visitedNodes = new Set<OnnxNode>();
    const stack = [source];
    while (stack.length > 0) {
      for (const node of consumers.get(stack.pop() as string) ?? []) {
        if (visitedNodes.has(node)) continue;
        visitedNodes.add(node);
        for (const output of node.outputs) {
          if (output !== '' && !reached.has(output)) {
            reached.add(output);
            stack.push(output);
          }
        }
      }
    }
    return reached;
  }

  /**
   * True when `name` is computed only from graph inputs and constants through
   * the slicing ops torch emits to cut per-layer initial states out of h0/c0.
   * Memoized across calls, so checking every layer costs one pass in all.
   */
  isStateInput(name: string): boolean {
    // Iterative post-order: a value is decided once all its inputs are.
    const stack: [string, boolean][] = [[name, false]];
    const onPath = new Set<string>();
    while (stack.length > 0) {
      const [current, expanded] = stack.pop() as [string, boolean];
      if (current === '' || this.stateInputs.has(current)) continue;
      if (this.graphInputs.has(current) || this.constants.has(current)) {
        this.stateInputs.set(current, true);
        continue;
      }
      const producer = this.producers.get(current);
      if (producer === undefined || !STATE_OPS.has(producer.node.opType)) {
        this.stateInputs.set(current, false);
        continue;
      }
      if (expanded) {
        onPath.delete(current);
        this.stateInputs.set(current, producer.node.inputs.every((input) => input === '' || this.stateInputs.get(input) === true));
        continue;
      }
      if (onPath.has(current)) {
        this.stateInputs.set(current, false); // a cycle
        continue;
      }
      onPath.add(current);
      stack.push([current, true]);
      for (const input of producer.node.inputs) stack.push([input, false]);
    }
    return this.stateInputs.get(name) ?? true;
  }

  private readonly layoutSources = new Map<string, string>();
  private readonly stateInputs = new Map<string, boolean>();
}

const STATE_OPS = new Set([...LAYOUT_OPS, 'Slice', 'Split', 'Gather', 'Constant', 'Expand', 'Cast', 'ConstantOfShape', 'Shape']);

/** "node NAME (OP)" for messages. */
export function describeNode(node: OnnxNode): string {
  return `node ${JSON.stringify(node.name || node.outputs[0] || '?')} (${node.opType})`;
}

/** The attribute called `name`, or null. */
export function attributeOf(node: OnnxNode, name: string): OnnxAttribute | null {
  return node.attributes.find((a) => a.name === name) ?? null;
}

/** A Constant node's value as a tensor (value, value_float(s), value_int(s)), or null for other kinds. */
function constantValue(node: OnnxNode): OnnxTensor | null {
  const attribute = node.attributes[0];
  if (node.attributes.length !== 1 || attribute === undefined) return null;
  if (attribute.name === 'value' && attribute.t !== null) return attribute.t;
  const tensor = emptyTensor();
  tensor.name = node.outputs[0];
  switch (attribute.name) {
    case 'value_float':
      tensor.dataType = OnnxDataType.FLOAT;
      tensor.floatData = [attribute.f];
      return tensor;
    case 'value_floats':
      tensor.dataType = OnnxDataType.FLOAT;
      tensor.dims = [attribute.floats.length];
      tensor.floatData = attribute.floats;
      return tensor;
    case 'value_int':
      tensor.dataType = OnnxDataType.INT64;
      tensor.int64Data = [attribute.i];
      return tensor;
    case 'value_ints':
      tensor.dataType = OnnxDataType.INT64;
      tensor.dims = [attribute.ints.length];
      tensor.int64Data = attribute.ints;
      return tensor;
    default:
      return attribute.type === OnnxAttributeType.TENSOR && attribute.t !== null ? attribute.t : null;
  }
}
