import { Encoder, type ExtensionCodecType } from '@msgpack/msgpack';
import { ErrorCode } from '../errors.ts';
import { F32Matrix } from '../math/f32-matrix.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { Q4Matrix } from '../math/q4-matrix.ts';
import { Q8Matrix } from '../math/q8-matrix.ts';
import type { LayerArchitecture } from '../model/architecture.ts';
import type { Model } from '../model/model.ts';
import { crc32 } from './crc32.ts';
import { FormatError } from './errors.ts';
import {
  CHECKSUM_TRAILER_LENGTH,
  CHECKSUM_TRAILER_PREFIX,
  FORMAT_NAME,
  formatVersionOf,
  TENSOR_DTYPES,
  TENSOR_NAMES,
  type TensorDtype,
} from './model-file.ts';
import { quantizeMatrix, quantizeMatrixQ4 } from './quantize-matrix.ts';
import { float32ToBytes, float32ToFloat16Bytes, int8ToBytes } from './tensor-bytes.ts';

/** Options of {@link encodeModel} and saveModel. */
export interface EncodeOptions {
  /**
   * Storage type of the weight matrices (embedding, recurrent weights, head).
   * Biases are always f32. Omitted: each matrix keeps its own type (a loaded
   * q8 model is written back as the same q8 bytes).
   */
  readonly dtype?: TensorDtype;
  /**
   * q8 and q4: columns per scale. Omitted: for q8 one scale per row (the
   * default, see docs/FORMAT.md), for q4 blocks of 32 (even sizes only), or
   * a quantized matrix's own layout. A matrix already in the wanted layout
   * is written as is, without quantizing again.
   */
  readonly blockSize?: number;
}

/** The encoder writes no extension types: metadata is checked to be plain data first. */
const noExtensions: ExtensionCodecType<undefined> = {
  tryToEncode: () => null,
  decode: () => {
    throw new Error('unreachable: encoder only');
  },
};

/**
 * Encodes a model as a model file (docs/FORMAT.md), in the lowest version
 * that describes it (formatVersionOf: 4 for a stack whose layers differ in kind or size, 3 with hard-sigmoid layers, 2 for GRU models, else 1): architecture, tensors in
 * the requested storage type, vocabulary, tokenizer, metadata, and the
 * CRC-32 trailer. A head that shares the embedding matrix object is stored
 * once, as a reference. The same model and options give the same bytes on
 * every runtime. Throws FormatError (INVALID_FIELD) for metadata that is not
 * plain data, UNKNOWN_DTYPE for a bad dtype. Cold path: allocates the file
 * (plus one working copy while the MessagePack encoder grows its buffer).
 */
export function encodeModel(model: Model, options: EncodeOptions = {}): Uint8Array<ArrayBuffer> {
  const dtype = options.dtype;
  if (dtype !== undefined && !TENSOR_DTYPES.includes(dtype)) {
    throw new FormatError(ErrorCode.UNKNOWN_DTYPE, `dtype is ${JSON.stringify(dtype)}; expected one of ${TENSOR_DTYPES.join(', ')}`);
  }
  const blockSize = options.blockSize;
  if (blockSize !== undefined && !(Number.isInteger(blockSize) && blockSize > 0 && (dtype !== 'q4' || blockSize % 2 === 0))) {
    throw new FormatError(ErrorCode.INVALID_FIELD, `blockSize is ${blockSize}; expected a positive ${dtype === 'q4' ? 'even ' : ''}integer`);
  }
  const a = model.architecture;
  const tensors: Record<string, unknown>[] = [];
  let tensorBytes = 0;
  const addMatrix = (name: string, matrix: WeightMatrix): void => {
    const entry = encodeMatrix(name, matrix, dtype, blockSize);
    tensorBytes += (entry.data as Uint8Array).length + ((entry.scales as Uint8Array | undefined)?.length ?? 0);
    tensors.push(entry);
  };
  const addVector = (name: string, values: Float32Array): void => {
    tensorBytes += values.length * 4;
    tensors.push({ name, dtype: 'f32', shape: [values.length], data: float32ToBytes(values) });
  };
  if (model.embedding !== null) addMatrix(TENSOR_NAMES.embedding, model.embedding);
  model.layers.forEach((layer, l) => {
    addMatrix(TENSOR_NAMES.layerWeight(l), layer.weight);
    addVector(TENSOR_NAMES.layerBias(l), layer.bias);
  });
  if (model.head !== null) {
    if (model.embedding !== null && model.head.weight === model.embedding) {
      tensors.push({ name: TENSOR_NAMES.headWeight, tiedTo: TENSOR_NAMES.embedding });
    } else {
      addMatrix(TENSOR_NAMES.headWeight, model.head.weight);
    }
    addVector(TENSOR_NAMES.headBias, model.head.bias);
  }

  checkPlainData(model.metadata, 'metadata', 0);
  if (model.tokenizer !== null) checkPlainData(model.tokenizer, 'tokenizer', 0);
  const document: Record<string, unknown> = {
    format: FORMAT_NAME,
    version: formatVersionOf(a),
    architecture: {
      cell: a.cell,
      input: a.input,
      vocabSize: a.vocabSize,
      inputSize: a.inputSize,
      hiddenSize: a.hiddenSize,
      numLayers: a.numLayers,
      head: a.head,
      outputSize: a.outputSize,
      // Version 3 (4 with a layer's own cell or hiddenSize), only when a layer differs from the defaults: older files stay as they were.
      ...(a.layers === undefined ? {} : { layers: a.layers.map(encodeLayer) }),
    },
    tensors,
  };
  if (model.vocabulary !== null) document.vocabulary = model.vocabulary;
  if (model.tokenizer !== null) document.tokenizer = model.tokenizer;
  document.metadata = model.metadata;
  // A uint32 placeholder, so the file ends with the fixed 14-byte trailer; patched below.
  document.checksum = 0xffffffff;

  const encoder = new Encoder({ extensionCodec: noExtensions, initialBufferSize: tensorBytes + 65_536 });
  const bytes = encoder.encode(document);
  const start = bytes.length - CHECKSUM_TRAILER_LENGTH;
  for (let i = 0; i < CHECKSUM_TRAILER_PREFIX.length; i++) {
    if (bytes[start + i] !== CHECKSUM_TRAILER_PREFIX[i]) throw new Error('encodeModel: checksum trailer not at the end (internal error)');
  }
  const crc = crc32(bytes, 0, start);
  const at = bytes.length - 4;
  bytes[at] = crc >>> 24;
  bytes[at + 1] = (crc >>> 16) & 0xff;
  bytes[at + 2] = (crc >>> 8) & 0xff;
  bytes[at + 3] = crc & 0xff;
  return bytes;
}

/** One entry of architecture.layers: the gate activation, then the cell and hiddenSize only where they differ from layer 0's (validateArchitecture keeps them only then). */
function encodeLayer(layer: LayerArchitecture): Record<string, unknown> {
  return {
    gateActivation: layer.gateActivation,
    ...(layer.cell === undefined ? {} : { cell: layer.cell }),
    ...(layer.hiddenSize === undefined ? {} : { hiddenSize: layer.hiddenSize }),
  };
}

function encodeMatrix(
  name: string,
  matrix: WeightMatrix,
  dtype: TensorDtype | undefined,
  blockSize: number | undefined,
): Record<string, unknown> {
  const shape = [matrix.rows, matrix.cols];
  const target = dtype ?? (matrix instanceof Q8Matrix ? 'q8' : matrix instanceof Q4Matrix ? 'q4' : 'f32');
  if (target === 'q4') {
    const q4 = quantizeMatrixQ4(matrix, blockSize);
    return { name, dtype: 'q4', shape, data: q4.data.slice(), scales: float32ToBytes(q4.scales), blockSize: q4.blockSize };
  }
  if (target === 'q8') {
    const q8 = quantizeMatrix(matrix, blockSize);
    return { name, dtype: 'q8', shape, data: int8ToBytes(q8.data), scales: float32ToBytes(q8.scales), blockSize: q8.blockSize };
  }
  const values = matrix instanceof F32Matrix ? matrix.data : matrix.toFloat32();
  return { name, dtype: target, shape, data: target === 'f16' ? float32ToFloat16Bytes(values) : float32ToBytes(values) };
}

/** Throws FormatError unless value is MessagePack-plain data: strings, numbers, booleans, null, Uint8Array, arrays and plain objects. */
function checkPlainData(value: unknown, path: string, depth: number): void {
  if (depth > 64) throw new FormatError(ErrorCode.INVALID_FIELD, `${path} is nested more than 64 levels deep`);
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return;
  if (value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkPlainData(item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      for (const [key, item] of Object.entries(value)) checkPlainData(item, `${path}.${key}`, depth + 1);
      return;
    }
  }
  const kind = typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value;
  throw new FormatError(
    ErrorCode.INVALID_FIELD,
    `${path} is a ${kind}; model files hold plain data only (strings, numbers, booleans, null, Uint8Array, arrays, plain objects)${kind === 'Date' ? ' — store dates as ISO 8601 strings' : ''}`,
  );
}
