// The part of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
// this library reads and writes, as plain data. Field numbers are the
// schema's; fields outside this subset are skipped on read.

/** TensorProto.DataType values used here. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const;

/** AttributeProto.AttributeType values. */
export const OnnxAttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** A TensorProto: dims, element type and one of its data fields. Data is not yet converted. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** raw_data: little-endian element bytes (a view into the file), or null. */
  rawData: Uint8Array | null;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  /** True when the values live in an external file (data_location = EXTERNAL or external_data set). */
  external: boolean;
}

/** An AttributeProto, with the value fields this library uses. */
export interface OnnxAttribute {
  name: string;
  type: number;
  f: number;
  i: number;
  s: Uint8Array | null;
  t: OnnxTensor | null;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  /** True when the attribute carries a graph, sparse tensor or type (skipped, never decoded). */
  hasUnreadValue: boolean;
}

/** A NodeProto. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

/** A ValueInfoProto of a tensor: name, element type and shape (a number, a symbolic name, or null per dimension). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | string | null)[] | null;
}

/** A GraphProto. */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}

/** An OperatorSetIdProto. */
export interface OnnxOpset {
  domain: string;
  version: number;
}

/** A ModelProto. */
export interface OnnxModel {
  irVersion: number;
  opsetImports: OnnxOpset[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: OnnxGraph;
  /** metadata_props: free key-value strings (StringStringEntryProto). */
  metadataProps: { key: string; value: string }[];
}

/** An empty TensorProto, for decoders and builders to fill. */
export function emptyTensor(): OnnxTensor {
  return { name: '', dims: [], dataType: 0, rawData: null, floatData: [], int32Data: [], int64Data: [], doubleData: [], external: false };
}

/** An empty AttributeProto. */
export function emptyAttribute(): OnnxAttribute {
  return { name: '', type: 0, f: 0, i: 0, s: null, t: null, floats: [], ints: [], strings: [], hasUnreadValue: false };
}

/** A short name of a data type for messages. */
export function dataTypeName(dataType: number): string {
  const entry = Object.entries(OnnxDataType).find(([, value]) => value === dataType);
  return entry ? entry[0] : `data type ${dataType}`;
}
