// lstm-stream/interop: importers and exporters for other tools' files
// (PyTorch safetensors state dicts, ONNX, TensorFlow.js Layers models). A separate entry point, so the
// inference bundle never carries the protobuf and safetensors code.
export { InteropError } from './errors.ts';
export { DEFAULT_INTEROP_LIMITS, AllocationBudget, type InteropLimits, type ResolvedInteropLimits } from './limits.ts';

export { importSafetensors, type ImportSafetensorsOptions } from './safetensors/import-safetensors.ts';
export {
  parseSafetensors,
  readSafetensors,
  decodeSafetensorsEntry,
  type SafetensorsFile,
  type SafetensorsEntry,
  type DecodedTensor,
  type ReadSafetensorsOptions,
} from './safetensors/read-safetensors.ts';
export { encodeSafetensors, exportSafetensors, type WriteSafetensorsOptions } from './safetensors/write-safetensors.ts';
export { mapTorchKeys, type TorchKeyMap } from './safetensors/torch-key-map.ts';
export { SAFETENSORS_FLOAT_DTYPES, type SafetensorsFloatDtype } from './safetensors/safetensors-dtypes.ts';

export { importTfjsLayers, type ImportTfjsOptions } from './tfjs/import-tfjs.ts';
export { exportTfjsLayers, type ExportTfjsOptions, type TfjsLayersFiles } from './tfjs/export-tfjs.ts';
export type { TfjsWeightShards } from './tfjs/read-weights.ts';

export { importOnnx, fromOnnxModel, type ImportOnnxOptions } from './onnx/import-onnx.ts';
export { exportOnnx, toOnnxModel, ONNX_EXPORT_OPSET } from './onnx/export-onnx.ts';
export { decodeOnnx, type DecodeOnnxOptions } from './onnx/decode-onnx.ts';
export { encodeOnnx } from './onnx/encode-onnx.ts';
export {
  OnnxDataType,
  OnnxAttributeType,
  type OnnxModel,
  type OnnxGraph,
  type OnnxNode,
  type OnnxAttribute,
  type OnnxTensor,
  type OnnxValueInfo,
  type OnnxOpset,
} from './onnx/onnx-model.ts';
