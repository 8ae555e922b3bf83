import { WireWriter } from '../protobuf/wire-writer.ts';
import { OnnxAttributeType, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-model.ts';

/**
 * Encodes an ONNX model (the subset in onnx-model.ts) as ModelProto bytes
 * that onnxruntime and the onnx tools read. Cold path: one pass; each
 * embedded message is built in its own writer and copied once.
 */
export function encodeOnnx(model: OnnxModel): Uint8Array {
  const w = new WireWriter().int(1, model.irVersion);
  if (model.producerName !== '') w.string(2, model.producerName);
  if (model.producerVersion !== '') w.string(3, model.producerVersion);
  if (model.docString !== '') w.string(6, model.docString);
  w.message(7, graphMessage(model.graph));
  for (const opset of model.opsetImports) {
    const o = new WireWriter();
    if (opset.domain !== '') o.string(1, opset.domain);
    w.message(8, o.int(2, opset.version));
  }
  for (const { key, value } of model.metadataProps) w.message(14, new WireWriter().string(1, key).string(2, value));
  return w.finish().slice();
}

function graphMessage(graph: OnnxGraph): WireWriter {
  const w = new WireWriter();
  for (const node of graph.nodes) w.message(1, nodeMessage(node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, tensorMessage(tensor));
  for (const input of graph.inputs) w.message(11, valueInfoMessage(input));
  for (const output of graph.outputs) w.message(12, valueInfoMessage(output));
  for (const info of graph.valueInfo) w.message(13, valueInfoMessage(info));
  return w;
}

function nodeMessage(node: OnnxNode): WireWriter {
  const w = new WireWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name !== '') w.string(3, node.name);
  w.string(4, node.opType);
  for (const attribute of node.attributes) w.message(5, attributeMessage(attribute));
  if (node.domain !== '') w.string(7, node.domain);
  return w;
}

function attributeMessage(attribute: OnnxAttribute): WireWriter {
  const w = new WireWriter().string(1, attribute.name);
  switch (attribute.type) {
    case OnnxAttributeType.FLOAT:
      w.float(2, attribute.f);
      break;
    case OnnxAttributeType.INT:
      w.int(3, attribute.i);
      break;
    case OnnxAttributeType.STRING:
      w.bytes(4, attribute.s ?? new Uint8Array(0));
      break;
    case OnnxAttributeType.TENSOR:
      if (attribute.t !== null) w.message(5, tensorMessage(attribute.t));
      break;
    case OnnxAttributeType.FLOATS:
      w.packedFloats(7, attribute.floats);
      break;
    case OnnxAttributeType.INTS:
      w.packedInts(8, attribute.ints);
      break;
    case OnnxAttributeType.STRINGS:
      for (const s of attribute.strings) w.bytes(9, s);
      break;
    default:
      throw new RangeError(`encodeOnnx: attribute ${attribute.name} has type ${attribute.type}, which this writer does not write`);
  }
  return w.int(20, attribute.type);
}

function tensorMessage(tensor: OnnxTensor): WireWriter {
  const w = new WireWriter().packedInts(1, tensor.dims).int(2, tensor.dataType);
  w.packedFloats(4, tensor.floatData);
  w.packedInts(5, tensor.int32Data);
  w.packedInts(7, tensor.int64Data);
  if (tensor.name !== '') w.string(8, tensor.name);
  if (tensor.rawData !== null) w.bytes(9, tensor.rawData);
  if (tensor.doubleData.length > 0) throw new RangeError('encodeOnnx: double_data is not written; use raw_data');
  return w;
}

function valueInfoMessage(info: OnnxValueInfo): WireWriter {
  const tensorType = new WireWriter().int(1, info.elemType);
  if (info.shape !== null) {
    const shape = new WireWriter();
    for (const d of info.shape) {
      const dim = new WireWriter();
      if (typeof d === 'number') dim.int(1, d);
      else if (typeof d === 'string') dim.string(2, d);
      shape.message(1, dim);
    }
    tensorType.message(2, shape);
  }
  return new WireWriter().string(1, info.name).message(2, new WireWriter().message(1, tensorType));
}
