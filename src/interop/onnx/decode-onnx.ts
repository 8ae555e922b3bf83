import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';
import { AllocationBudget, checkFileSize, resolveInteropLimits, type InteropLimits } from '../limits.ts';
import { WireReader, WireType } from '../protobuf/wire-reader.ts';
import {
  emptyAttribute,
  emptyTensor,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxOpset,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-model.ts';

/** Options of {@link decodeOnnx}: size limits, and optionally the budget to charge (to see what a read allocated). */
export interface DecodeOnnxOptions extends InteropLimits {
  readonly budget?: AllocationBudget;
}

// Repeated numbers are decoded into JS arrays; 8 bytes an element is what they cost at least.
const BYTES_PER_DECODED_NUMBER = 8;

/**
 * Decodes an ONNX ModelProto's bytes into plain data: the graph's nodes,
 * attributes, initializers, inputs, outputs and value infos, with tensor
 * bytes left as views into `bytes`. Unknown fields are skipped; subgraphs
 * (If/Loop bodies) are skipped, not decoded, so nesting depth is fixed.
 * Every repeated-number run is charged to the allocation budget first.
 * Throws InteropError: TRUNCATED, PROTOBUF_INVALID (with the byte offset),
 * LIMIT_EXCEEDED. Cost: one pass over the bytes; linear time and memory.
 */
export function decodeOnnx(bytes: Uint8Array, options: DecodeOnnxOptions = {}): OnnxModel {
  const limits = resolveInteropLimits(options);
  if (!(bytes instanceof Uint8Array)) {
    throw new InteropError(ErrorCode.PROTOBUF_INVALID, 'ONNX bytes must be a Uint8Array');
  }
  checkFileSize(bytes, limits, 'the ONNX file');
  const budget = options.budget ?? new AllocationBudget(limits);
  const decoder = new OnnxDecoder(budget);
  return decoder.model(new WireReader(bytes, 0, bytes.length, 'ModelProto'));
}

class OnnxDecoder {
  constructor(private readonly budget: AllocationBudget) {}

  private charge = (what: string) => (count: number) => this.budget.take(count, BYTES_PER_DECODED_NUMBER, what);

  model(r: WireReader): OnnxModel {
    const model: OnnxModel = { irVersion: 0, opsetImports: [], producerName: '', producerVersion: '', docString: '', graph: emptyGraph(), metadataProps: [] };
    let sawGraph = false;
    while (!r.done) {
      switch (r.readTag()) {
        case 1:
          r.expect(WireType.VARINT, 'ir_version');
          model.irVersion = r.readInt64();
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'producer_name');
          model.producerName = r.readString();
          break;
        case 3:
          r.expect(WireType.LENGTH_DELIMITED, 'producer_version');
          model.producerVersion = r.readString();
          break;
        case 6:
          r.expect(WireType.LENGTH_DELIMITED, 'doc_string');
          model.docString = r.readString();
          break;
        case 7:
          r.expect(WireType.LENGTH_DELIMITED, 'graph');
          model.graph = this.graph(r.readMessage('GraphProto'));
          sawGraph = true;
          break;
        case 8:
          r.expect(WireType.LENGTH_DELIMITED, 'opset_import');
          model.opsetImports.push(this.opset(r.readMessage('OperatorSetIdProto')));
          break;
        case 14:
          r.expect(WireType.LENGTH_DELIMITED, 'metadata_props');
          model.metadataProps.push(this.stringPair(r.readMessage('StringStringEntryProto')));
          break;
        default:
          r.skip();
      }
    }
    if (!sawGraph) throw new InteropError(ErrorCode.ONNX_INVALID, 'the ONNX model has no graph (ModelProto.graph is missing)');
    return model;
  }

  opset(r: WireReader): OnnxOpset {
    const opset: OnnxOpset = { domain: '', version: 0 };
    while (!r.done) {
      switch (r.readTag()) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'domain');
          opset.domain = r.readString();
          break;
        case 2:
          r.expect(WireType.VARINT, 'version');
          opset.version = r.readInt64();
          break;
        default:
          r.skip();
      }
    }
    return opset;
  }

  stringPair(r: WireReader): { key: string; value: string } {
    const pair = { key: '', value: '' };
    while (!r.done) {
      const field = r.readTag();
      if (field === 1 || field === 2) {
        r.expect(WireType.LENGTH_DELIMITED, field === 1 ? 'key' : 'value');
        pair[field === 1 ? 'key' : 'value'] = r.readString();
      } else {
        r.skip();
      }
    }
    return pair;
  }

  graph(r: WireReader): OnnxGraph {
    const graph = emptyGraph();
    while (!r.done) {
      switch (r.readTag()) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'node');
          graph.nodes.push(this.node(r.readMessage('NodeProto')));
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'name');
          graph.name = r.readString();
          break;
        case 5:
          r.expect(WireType.LENGTH_DELIMITED, 'initializer');
          graph.initializers.push(this.tensor(r.readMessage('TensorProto')));
          break;
        case 11:
          r.expect(WireType.LENGTH_DELIMITED, 'input');
          graph.inputs.push(this.valueInfo(r.readMessage('ValueInfoProto')));
          break;
        case 12:
          r.expect(WireType.LENGTH_DELIMITED, 'output');
          graph.outputs.push(this.valueInfo(r.readMessage('ValueInfoProto')));
          break;
        case 13:
          r.expect(WireType.LENGTH_DELIMITED, 'value_info');
          graph.valueInfo.push(this.valueInfo(r.readMessage('ValueInfoProto')));
          break;
        default:
          r.skip();
      }
    }
    return graph;
  }

  node(r: WireReader): OnnxNode {
    const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
    while (!r.done) {
      switch (r.readTag()) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'input');
          node.inputs.push(r.readString());
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'output');
          node.outputs.push(r.readString());
          break;
        case 3:
          r.expect(WireType.LENGTH_DELIMITED, 'name');
          node.name = r.readString();
          break;
        case 4:
          r.expect(WireType.LENGTH_DELIMITED, 'op_type');
          node.opType = r.readString();
          break;
        case 5:
          r.expect(WireType.LENGTH_DELIMITED, 'attribute');
          node.attributes.push(this.attribute(r.readMessage('AttributeProto')));
          break;
        case 7:
          r.expect(WireType.LENGTH_DELIMITED, 'domain');
          node.domain = r.readString();
          break;
        default:
          r.skip();
      }
    }
    return node;
  }

  attribute(r: WireReader): OnnxAttribute {
    const attribute = emptyAttribute();
    while (!r.done) {
      const field = r.readTag();
      switch (field) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'name');
          attribute.name = r.readString();
          break;
        case 20:
          r.expect(WireType.VARINT, 'type');
          attribute.type = r.readInt32();
          break;
        case 2:
          r.expect(WireType.FIXED32, 'f');
          attribute.f = r.readFloat();
          break;
        case 3:
          r.expect(WireType.VARINT, 'i');
          attribute.i = r.readInt64();
          break;
        case 4:
          r.expect(WireType.LENGTH_DELIMITED, 's');
          attribute.s = r.readBytes();
          break;
        case 5:
          r.expect(WireType.LENGTH_DELIMITED, 't');
          attribute.t = this.tensor(r.readMessage('TensorProto'));
          break;
        case 7:
          r.readRepeated(attribute.floats, WireType.FIXED32, readFloat, this.charge(`attribute ${attribute.name || '?'} floats`));
          break;
        case 8:
          r.readRepeated(attribute.ints, WireType.VARINT, readInt64, this.charge(`attribute ${attribute.name || '?'} ints`));
          break;
        case 9:
          r.expect(WireType.LENGTH_DELIMITED, 'strings');
          attribute.strings.push(r.readBytes());
          break;
        case 6: // g
        case 10: // tensors
        case 11: // graphs
        case 14: // tp
        case 15: // type_protos
        case 22: // sparse_tensor
        case 23: // sparse_tensors
          attribute.hasUnreadValue = true;
          r.skip();
          break;
        default:
          r.skip();
      }
    }
    return attribute;
  }

  tensor(r: WireReader): OnnxTensor {
    const tensor = emptyTensor();
    while (!r.done) {
      switch (r.readTag()) {
        case 1:
          r.readRepeated(tensor.dims, WireType.VARINT, readInt64, this.charge('TensorProto.dims'));
          break;
        case 2:
          r.expect(WireType.VARINT, 'data_type');
          tensor.dataType = r.readInt32();
          break;
        case 4:
          r.readRepeated(tensor.floatData, WireType.FIXED32, readFloat, this.charge(`tensor ${tensor.name || '?'} float_data`));
          break;
        case 5:
          r.readRepeated(tensor.int32Data, WireType.VARINT, readInt32, this.charge(`tensor ${tensor.name || '?'} int32_data`));
          break;
        case 7:
          r.readRepeated(tensor.int64Data, WireType.VARINT, readInt64, this.charge(`tensor ${tensor.name || '?'} int64_data`));
          break;
        case 8:
          r.expect(WireType.LENGTH_DELIMITED, 'name');
          tensor.name = r.readString();
          break;
        case 9:
          r.expect(WireType.LENGTH_DELIMITED, 'raw_data');
          tensor.rawData = r.readBytes();
          break;
        case 10:
          r.readRepeated(tensor.doubleData, WireType.FIXED64, readDouble, this.charge(`tensor ${tensor.name || '?'} double_data`));
          break;
        case 13:
          r.expect(WireType.LENGTH_DELIMITED, 'external_data');
          tensor.external = true;
          r.skip();
          break;
        case 14:
          r.expect(WireType.VARINT, 'data_location');
          if (r.readInt32() === 1) tensor.external = true;
          break;
        default:
          r.skip();
      }
    }
    return tensor;
  }

  valueInfo(r: WireReader): OnnxValueInfo {
    const info: OnnxValueInfo = { name: '', elemType: 0, shape: null };
    while (!r.done) {
      switch (r.readTag()) {
        case 1:
          r.expect(WireType.LENGTH_DELIMITED, 'name');
          info.name = r.readString();
          break;
        case 2:
          r.expect(WireType.LENGTH_DELIMITED, 'type');
          this.typeProto(r.readMessage('TypeProto'), info);
          break;
        default:
          r.skip();
      }
    }
    return info;
  }

  private typeProto(r: WireReader, info: OnnxValueInfo): void {
    while (!r.done) {
      if (r.readTag() !== 1) {
        r.skip(); // sequences, maps, optionals: not tensors, left undescribed
        continue;
      }
      r.expect(WireType.LENGTH_DELIMITED, 'tensor_type');
      const tensorType = r.readMessage('TypeProto.Tensor');
      while (!tensorType.done) {
        const field = tensorType.readTag();
        if (field === 1) {
          tensorType.expect(WireType.VARINT, 'elem_type');
          info.elemType = tensorType.readInt32();
        } else if (field === 2) {
          tensorType.expect(WireType.LENGTH_DELIMITED, 'shape');
          info.shape = this.shape(tensorType.readMessage('TensorShapeProto'));
        } else {
          tensorType.skip();
        }
      }
    }
  }

  private shape(r: WireReader): (number | string | null)[] {
    const shape: (number | string | null)[] = [];
    while (!r.done) {
      if (r.readTag() !== 1) {
        r.skip();
        continue;
      }
      r.expect(WireType.LENGTH_DELIMITED, 'dim');
      const dim = r.readMessage('TensorShapeProto.Dimension');
      let value: number | string | null = null;
      while (!dim.done) {
        const field = dim.readTag();
        if (field === 1) {
          dim.expect(WireType.VARINT, 'dim_value');
          value = dim.readInt64();
        } else if (field === 2) {
          dim.expect(WireType.LENGTH_DELIMITED, 'dim_param');
          value = dim.readString();
        } else {
          dim.skip();
        }
      }
      shape.push(value);
    }
    return shape;
  }
}

function emptyGraph(): OnnxGraph {
  return { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
}

const readFloat = (r: WireReader): number => r.readFloat();
const readDouble = (r: WireReader): number => r.readDouble();
const readInt64 = (r: WireReader): number => r.readInt64();
const readInt32 = (r: WireReader): number => r.readInt32();
