import { decode, DecodeError, type ExtensionCodecType } from '@msgpack/msgpack';
import { ErrorCode, LstmStreamError } from '../errors.ts';
import { gateCountOf } from '../cells/cell.ts';
import { cellOf, layerInputSizeOf, validateArchitecture, type Architecture } from '../model/architecture.ts';
import type { TokenizerSettings } from '../model/model.ts';
import { crc32 } from './crc32.ts';
import { FormatError } from './errors.ts';
import { resolveLimits, type FormatLimits, type ResolvedLimits } from './limits.ts';
import {
  CHECKSUM_TRAILER_LENGTH,
  CHECKSUM_TRAILER_PREFIX,
  FORMAT_NAME,
  FORMAT_VERSIONS,
  formatVersionOf,
  TENSOR_DTYPES,
  dataByteLength,
  type FileTensor,
  type ModelFile,
  type TensorDtype,
} from './model-file.ts';
import { scanMessagePack } from './msgpack-scan.ts';

/** Options of {@link readModelFile} and decodeModel: the size limits, and whether a checksum mismatch throws. */
export interface ReadOptions extends FormatLimits {
  /** Default true: a checksum mismatch throws CHECKSUM_MISMATCH. `inspect` turns it off to report the status instead. */
  readonly verifyChecksum?: boolean;
}

const TOP_LEVEL_KEYS = ['format', 'version', 'architecture', 'tensors', 'vocabulary', 'tokenizer', 'metadata', 'checksum'];
const TENSOR_KEYS = ['name', 'dtype', 'shape', 'data', 'scales', 'blockSize', 'tiedTo'];
const FORMAT_KEY = Uint8Array.from([0xa6, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74]); // fixstr "format"

// Extensions are refused by the scan already; this codec makes sure the
// decoder could never hand one back as an object either.
const refuseExtensions: ExtensionCodecType<undefined> = {
  tryToEncode: () => null,
  decode: (_data, type) => {
    throw new FormatError(ErrorCode.EXTENSION_TYPE, `MessagePack extension type ${type}: model files use no extension types`);
  },
};

/**
 * Parses and checks a model file's bytes without building a model: the
 * MessagePack structure (with every size checked against the limits before
 * anything is allocated), the format name and version, the checksum, the
 * architecture, vocabulary, tokenizer and metadata fields, and each tensor
 * entry's dtype, shape and byte length. Tensor bytes stay views into `bytes`.
 * Throws FormatError naming the field, tensor or byte offset.
 * Cost: one structural pass, one CRC-32 pass and one decode of the document.
 */
export function readModelFile(bytes: Uint8Array, options: ReadOptions = {}): ModelFile {
  const limits = resolveLimits(options);
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError(ErrorCode.NOT_MSGPACK, `model bytes must be a Uint8Array, got ${describe(bytes)}`);
  }
  if (bytes.length > limits.maxBytes) {
    throw new FormatError(ErrorCode.LIMIT_EXCEEDED, `file is ${bytes.length} bytes, over the maxBytes limit of ${limits.maxBytes}`);
  }
  checkStructure(bytes, limits);
  const document = decodeDocument(bytes, limits);

  if (document.format !== FORMAT_NAME) {
    throw new FormatError(ErrorCode.WRONG_FORMAT, `format is ${show(document.format)}, expected "${FORMAT_NAME}"`);
  }
  const version = document.version;
  if (typeof version !== 'number' || !FORMAT_VERSIONS.includes(version)) {
    throw new FormatError(
      ErrorCode.UNSUPPORTED_VERSION,
      `version is ${show(version)}; this reader supports versions ${FORMAT_VERSIONS.slice(0, -1).join(', ')} and ${FORMAT_VERSIONS[FORMAT_VERSIONS.length - 1]}`,
    );
  }
  const checksum = checkChecksum(bytes, document, options.verifyChecksum !== false);
  for (const key of Object.keys(document)) {
    if (!TOP_LEVEL_KEYS.includes(key)) throw new FormatError(ErrorCode.INVALID_FIELD, `unknown top-level field ${show(key)}`);
  }
  const architecture = readArchitecture(document.architecture, limits);
  checkFieldsKnownTo(version, document.architecture as Record<string, unknown>);
  if (formatVersionOf(architecture) > version) {
    // A file cannot use what its version's readers do not know: a GRU in version 1.
    throw new FormatError(
      ErrorCode.INVALID_FIELD,
      `architecture.cell is ${show(architecture.cell)}, which needs format version ${formatVersionOf(architecture)}; this file says version ${version}`,
    );
  }
  return {
    version,
    architecture,
    tensors: readTensors(document.tensors, limits),
    vocabulary: readVocabulary(document.vocabulary, limits),
    tokenizer: readTokenizer(document.tokenizer),
    metadata: readMetadata(document.metadata),
    checksum,
    byteLength: bytes.length,
  };
}

/** Classifies a file that fails the structural scan: not MessagePack at all, or a damaged model file. */
function checkStructure(bytes: Uint8Array, limits: ResolvedLimits): void {
  if (bytes.length === 0) throw new FormatError(ErrorCode.TRUNCATED, 'file is empty');
  const magic = matchMagic(bytes);
  try {
    scanMessagePack(bytes, {
      maxStringLength: limits.maxStringLength,
      maxBinLength: Math.min(limits.maxBytes, limits.maxTensorElements * 4),
      maxArrayLength: Math.max(limits.maxArrayLength, limits.maxVocabulary),
      maxMapLength: limits.maxMapLength,
    });
  } catch (error) {
    if (magic === 'no' && error instanceof FormatError) {
      throw new FormatError(
        ErrorCode.NOT_MSGPACK,
        `not a MessagePack model file: it does not start with a map whose first key is "format" (${error.message})`,
        { cause: error },
      );
    }
    throw error;
  }
  if (magic === 'no') {
    throw new FormatError(ErrorCode.WRONG_FORMAT, 'a MessagePack document, but not a model file: it does not start with a map whose first key is "format"');
  }
}

/**
 * Whether bytes start with a map header and the key "format": 'yes', 'no', or
 * 'prefix' (a file cut inside them). Model files and adaptation profiles both
 * open this way. A few byte compares.
 */
export function matchMagic(bytes: Uint8Array): 'yes' | 'no' | 'prefix' {
  const head = bytes[0];
  const headerLength = head >= 0x80 && head <= 0x8f ? 1 : head === 0xde ? 3 : head === 0xdf ? 5 : 0;
  if (headerLength === 0) return 'no';
  for (let i = 0; i < FORMAT_KEY.length; i++) {
    const at = headerLength + i;
    if (at >= bytes.length) return 'prefix';
    if (bytes[at] !== FORMAT_KEY[i]) return 'no';
  }
  return 'yes';
}

function decodeDocument(bytes: Uint8Array, limits: ResolvedLimits): Record<string, unknown> {
  let document: unknown;
  try {
    document = decode(bytes, {
      extensionCodec: refuseExtensions,
      maxStrLength: limits.maxStringLength,
      maxBinLength: Math.min(limits.maxBytes, limits.maxTensorElements * 4),
      maxArrayLength: Math.max(limits.maxArrayLength, limits.maxVocabulary),
      maxMapLength: limits.maxMapLength,
      maxExtLength: 0,
    });
  } catch (error) {
    if (error instanceof FormatError) throw error;
    // The scan has vetted lengths and structure; what is left are values the
    // decoder refuses, such as a map key that is not a string or "__proto__".
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof DecodeError ? ErrorCode.INVALID_FIELD : ErrorCode.NOT_MSGPACK;
    throw new FormatError(code, `MessagePack decoding failed: ${message}`, { cause: error });
  }
  if (!isPlainMap(document)) throw new FormatError(ErrorCode.WRONG_FORMAT, 'the top level is not a map');
  return document;
}

function checkChecksum(bytes: Uint8Array, document: Record<string, unknown>, verify: boolean): ModelFile['checksum'] {
  const start = bytes.length - CHECKSUM_TRAILER_LENGTH;
  let trailerOk = start > 0 && typeof document.checksum === 'number';
  for (let i = 0; trailerOk && i < CHECKSUM_TRAILER_PREFIX.length; i++) trailerOk = bytes[start + i] === CHECKSUM_TRAILER_PREFIX[i];
  if (!trailerOk) {
    throw new FormatError(
      ErrorCode.CHECKSUM_MISSING,
      'checksum is missing: the file must end with the entry "checksum" holding a uint32 (bytes A8 "checksum" CE and four CRC-32 bytes)',
    );
  }
  const at = bytes.length - 4;
  const stored = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  if (stored !== document.checksum) {
    throw new FormatError(ErrorCode.CHECKSUM_MISSING, 'checksum is not the last entry of the top-level map');
  }
  const computed = crc32(bytes, 0, start);
  if (verify && computed !== stored) {
    throw new FormatError(
      ErrorCode.CHECKSUM_MISMATCH,
      `checksum mismatch: the file says CRC-32 ${hex(stored)}, its first ${start} bytes give ${hex(computed)}; the file is damaged`,
    );
  }
  return { stored, computed, ok: computed === stored };
}

/**
 * Refuses per-layer fields newer than the file's version, naming the first:
 * `architecture.layers` before version 3, a layer's own `cell` or
 * `hiddenSize` (a mixed stack) before version 4; those versions' readers do
 * not know them (an all-default entry describes a lower version's model, but
 * its readers would still refuse the field). Also refuses a GRU layer in a
 * version-1 file. O(L).
 */
function checkFieldsKnownTo(version: number, architecture: Record<string, unknown>): void {
  const layers = architecture.layers;
  if (layers === undefined) return;
  if (version < 3) throw new FormatError(ErrorCode.INVALID_FIELD, `architecture.layers needs format version 3; this file says version ${version}`);
  (layers as Record<string, unknown>[]).forEach((layer, l) => {
    for (const field of ['cell', 'hiddenSize']) {
      if (version < 4 && layer[field] !== undefined) {
        throw new FormatError(ErrorCode.INVALID_FIELD, `architecture.layers[${l}].${field} (a layer's own kind or size) needs format version 4; this file says version ${version}`);
      }
    }
  });
}

function readArchitecture(value: unknown, limits: ResolvedLimits): Architecture {
  if (!isPlainMap(value)) throw new FormatError(ErrorCode.INVALID_FIELD, `architecture is ${show(value)}, expected a map`);
  const fields = ['cell', 'input', 'vocabSize', 'inputSize', 'hiddenSize', 'numLayers', 'head', 'outputSize', 'layers'];
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) throw new FormatError(ErrorCode.INVALID_FIELD, `architecture has unknown field ${show(key)}`);
  }
  let architecture: Architecture;
  try {
    architecture = validateArchitecture(value as unknown as Architecture);
  } catch (error) {
    if (error instanceof LstmStreamError) throw new FormatError(ErrorCode.INVALID_FIELD, error.message, { cause: error });
    throw error;
  }
  // A layer's own hiddenSize (version 4) is bounded like a tensor: its weight [gateCount·H × (I + H)] must fit maxTensorElements.
  architecture.layers?.forEach((layer, l) => {
    if (layer.hiddenSize === undefined) return;
    const H = layer.hiddenSize;
    const elements = gateCountOf(cellOf(architecture, l)) * H * (layerInputSizeOf(architecture, l) + H);
    if (elements > limits.maxTensorElements) {
      throw new FormatError(
        ErrorCode.LIMIT_EXCEEDED,
        `architecture.layers[${l}].hiddenSize is ${H}: its weight would have ${elements} elements, over the maxTensorElements limit of ${limits.maxTensorElements}`,
      );
    }
  });
  for (const field of ['vocabSize', 'outputSize'] as const) {
    if (architecture[field] > limits.maxVocabulary) {
      throw new FormatError(
        ErrorCode.LIMIT_EXCEEDED,
        `architecture.${field} is ${architecture[field]}, over the maxVocabulary limit of ${limits.maxVocabulary}`,
      );
    }
  }
  return architecture;
}

function readTensors(value: unknown, limits: ResolvedLimits): FileTensor[] {
  if (!Array.isArray(value)) throw new FormatError(ErrorCode.INVALID_FIELD, `tensors is ${show(value)}, expected an array`);
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const tensor = readTensor(entry, index, limits);
    if (seen.has(tensor.name)) throw new FormatError(ErrorCode.DUPLICATE_TENSOR, `tensor ${tensor.name} appears twice`);
    seen.add(tensor.name);
    return tensor;
  });
}

function readTensor(entry: unknown, index: number, limits: ResolvedLimits): FileTensor {
  if (!isPlainMap(entry)) throw new FormatError(ErrorCode.INVALID_FIELD, `tensors[${index}] is ${show(entry)}, expected a map`);
  const name = entry.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new FormatError(ErrorCode.INVALID_FIELD, `tensors[${index}].name is ${show(name)}, expected a non-empty string`);
  }
  for (const key of Object.keys(entry)) {
    if (!TENSOR_KEYS.includes(key)) throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${name} has unknown field ${show(key)}`);
  }
  if (entry.tiedTo !== undefined) {
    if (typeof entry.tiedTo !== 'string') throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${name}: tiedTo is ${show(entry.tiedTo)}, expected a tensor name`);
    for (const key of Object.keys(entry)) {
      if (key !== 'name' && key !== 'tiedTo') {
        throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${name} is tied to ${entry.tiedTo} and must have no ${key}`);
      }
    }
    return { name, dtype: null, shape: [], data: new Uint8Array(0), scales: null, blockSize: null, tiedTo: entry.tiedTo };
  }
  const dtype = entry.dtype;
  if (typeof dtype !== 'string' || !(TENSOR_DTYPES as readonly string[]).includes(dtype)) {
    throw new FormatError(ErrorCode.UNKNOWN_DTYPE, `tensor ${name} has dtype ${show(dtype)}; this reader knows ${TENSOR_DTYPES.join(', ')}`);
  }
  const shape = readShape(name, entry.shape);
  let elements = 1;
  for (const d of shape) elements *= d;
  if (elements > limits.maxTensorElements) {
    throw new FormatError(
      ErrorCode.LIMIT_EXCEEDED,
      `tensor ${name} has shape [${shape}] (${elements} elements), over the maxTensorElements limit of ${limits.maxTensorElements}`,
    );
  }
  const data = entry.data;
  if (!(data instanceof Uint8Array)) throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${name}: data is ${show(data)}, expected binary`);
  if (dtype === 'q4' && shape.length !== 2) {
    throw new FormatError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${name} is q4 with shape [${shape}]; q4 is for 2-D matrices only`);
  }
  const expectedBytes = dataByteLength(dtype as TensorDtype, shape);
  if (data.length !== expectedBytes) {
    throw new FormatError(
      ErrorCode.TENSOR_DATA_LENGTH,
      `tensor ${name} (${dtype}, shape [${shape}]) has ${data.length} data bytes, expected ${expectedBytes}`,
    );
  }
  if (dtype !== 'q8' && dtype !== 'q4') {
    if (entry.scales !== undefined || entry.blockSize !== undefined) {
      throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${name} is ${dtype} and must have no scales or blockSize`);
    }
    return { name, dtype: dtype as TensorDtype, shape, data, scales: null, blockSize: null, tiedTo: null };
  }
  if (shape.length !== 2) {
    throw new FormatError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${name} is q8 with shape [${shape}]; q8 is for 2-D matrices only`);
  }
  const blockSize = entry.blockSize;
  // q8: 1 … cols (cols = one scale per row). q4: even, so no block starts mid-byte; ≥ cols means one block per row.
  const blockOk =
    typeof blockSize === 'number' &&
    Number.isSafeInteger(blockSize) &&
    (dtype === 'q8' ? blockSize >= 1 && blockSize <= shape[1] : blockSize >= 2 && blockSize % 2 === 0);
  if (!blockOk) {
    throw new FormatError(
      ErrorCode.INVALID_FIELD,
      `tensor ${name}: blockSize is ${show(blockSize)}, expected ${dtype === 'q8' ? `an integer from 1 to the column count ${shape[1]}` : 'an even integer ≥ 2'}`,
    );
  }
  const scales = entry.scales;
  if (!(scales instanceof Uint8Array)) throw new FormatError(ErrorCode.INVALID_FIELD, `tensor ${name}: scales is ${show(scales)}, expected binary`);
  const expectedScales = shape[0] * Math.ceil(shape[1] / blockSize) * 4;
  if (scales.length !== expectedScales) {
    throw new FormatError(
      ErrorCode.TENSOR_DATA_LENGTH,
      `tensor ${name} has ${scales.length} scale bytes, expected ${expectedScales} (${shape[0]} rows × ${Math.ceil(shape[1] / blockSize)} blocks × 4)`,
    );
  }
  return { name, dtype: dtype as TensorDtype, shape, data, scales, blockSize: blockSize as number, tiedTo: null };
}

function readShape(name: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) {
    throw new FormatError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${name}: shape is ${show(value)}, expected [length] or [rows, cols]`);
  }
  for (const d of value) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1) {
      throw new FormatError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${name}: shape [${value.map(show)}] must hold positive integers`);
    }
  }
  return value as number[];
}

function readVocabulary(value: unknown, limits: ResolvedLimits): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new FormatError(ErrorCode.INVALID_FIELD, `vocabulary is ${show(value)}, expected an array of strings`);
  if (value.length > limits.maxVocabulary) {
    throw new FormatError(ErrorCode.LIMIT_EXCEEDED, `vocabulary has ${value.length} entries, over the maxVocabulary limit of ${limits.maxVocabulary}`);
  }
  value.forEach((token, id) => {
    if (typeof token !== 'string') throw new FormatError(ErrorCode.INVALID_FIELD, `vocabulary[${id}] is ${show(token)}, expected a string`);
  });
  return value as string[];
}

function readTokenizer(value: unknown): TokenizerSettings | null {
  if (value === undefined || value === null) return null;
  if (!isPlainMap(value)) throw new FormatError(ErrorCode.INVALID_FIELD, `tokenizer is ${show(value)}, expected a map`);
  if (typeof value.kind !== 'string') throw new FormatError(ErrorCode.INVALID_FIELD, `tokenizer.kind is ${show(value.kind)}, expected a string`);
  if (typeof value.unknownToken !== 'string') {
    throw new FormatError(ErrorCode.INVALID_FIELD, `tokenizer.unknownToken is ${show(value.unknownToken)}, expected a string`);
  }
  if (value.lowercase !== undefined && typeof value.lowercase !== 'boolean') {
    throw new FormatError(ErrorCode.INVALID_FIELD, `tokenizer.lowercase is ${show(value.lowercase)}, expected a boolean`);
  }
  return value as unknown as TokenizerSettings;
}

function readMetadata(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainMap(value)) throw new FormatError(ErrorCode.INVALID_FIELD, `metadata is ${show(value)}, expected a map`);
  return value;
}

/** True for a decoded MessagePack map (a plain object), false for arrays, binaries and scalars. */
function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A short, safe rendering of a decoded value for an error message. */
function show(value: unknown): string {
  if (value instanceof Uint8Array) return `binary(${value.length})`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'a map';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
