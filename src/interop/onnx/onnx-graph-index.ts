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

  /** Follows `name` back through layout-only ops to the value they carry. */
  skipLayout(name: string): string {
    let current = name;
    for (let steps = 0; steps <= this.graph.nodes.length; steps++) {
      const producer = this.producers.get(current);
      if (producer === undefined || producer.index !== 0 || !LAYOUT_OPS.has(producer.node.opType) || producer.node.inputs.length === 0) return current;
      current = producer.node.inputs[0];
    }
    throw new InteropError(ErrorCode.ONNX_INVALID, `value ${JSON.stringify(name)} depends on itself (the graph has a cycle)`);
  }

  /** True when value `name` is computed (through any nodes) from value `target`. */
  dependsOn(name: string, target: string): boolean {
    const seen = new Set<string>();
    const stack = [name];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      if (current === target) return true;
      if (seen.has(current)) continue;
      seen.add(current);
      const producer = this.producers.get(current);
      if (producer !== undefined) for (const input of producer.node.inputs) if (input !== '') stack.push(input);
    }
    return false;
  }

  /**
   * True when `name` is computed only from graph inputs and constants through
   * the slicing ops torch emits to cut per-layer initial states out of h0/c0.
   */
  isStateInput(name: string): boolean {
    const seen = new Set<string>();
    const stack = [name];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      if (current === '' || seen.has(current)) continue;
      seen.add(current);
      if (this.graphInputs.has(current) || this.constants.has(current)) continue;
      const producer = this.producers.get(current);
      if (producer === undefined || !STATE_OPS.has(producer.node.opType)) return false;
      for (const input of producer.node.inputs) stack.push(input);
    }
    return true;
  }
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
