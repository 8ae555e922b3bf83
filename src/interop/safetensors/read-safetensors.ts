import { ErrorCode } from '../../errors.ts';
import { float16BitsToFloat32 } from '../../math/f16.ts';
import { InteropError } from '../errors.ts';
import { AllocationBudget, checkFileSize, resolveInteropLimits, type InteropLimits } from '../limits.ts';
import { bfloat16BitsToFloat32, SAFETENSORS_DTYPE_BYTES, SAFETENSORS_FLOAT_DTYPES, type SafetensorsFloatDtype } from './safetensors-dtypes.ts';

/** One entry of a safetensors header, checked but not decoded: its bytes are a view into the file. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** The tensor's bytes (a view into the file, not a copy). */
  readonly bytes: Uint8Array;
}

/** A parsed safetensors file: its entries in header order and its `__metadata__` strings. */
export interface SafetensorsFile {
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** A decoded tensor: its file dtype, shape and values widened to f32. */
export interface DecodedTensor {
  readonly dtype: SafetensorsFloatDtype;
  readonly shape: number[];
  readonly data: Float32Array;
}

/** Options of {@link parseSafetensors} and the safetensors importers: size limits and optionally the budget to charge. */
export interface ReadSafetensorsOptions extends InteropLimits {
  readonly budget?: AllocationBudget;
}

const HEADER_START = 8;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a safetensors file (an 8-byte little-endian header length, a JSON
 * header, then the tensor bytes) and checks it as strictly as the reference
 * implementation: header size within maxHeaderBytes and the file, valid
 * UTF-8 JSON object, every entry's dtype known, shape of non-negative
 * integers, offsets inside the data and equal to shape × dtype size, and the
 * entries covering the data exactly, without gaps or overlaps.
 * Throws InteropError (SAFETENSORS_INVALID, TRUNCATED, LIMIT_EXCEEDED) naming
 * the tensor or byte offset. Cost: one JSON.parse of the header; tensor bytes are not copied.
 */
export function parseSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): SafetensorsFile {
  const limits = resolveInteropLimits(options);
  if (!(bytes instanceof Uint8Array)) throw new InteropError(ErrorCode.SAFETENSORS_INVALID, 'safetensors bytes must be a Uint8Array');
  checkFileSize(bytes, limits, 'the safetensors file');
  if (bytes.length < HEADER_START) {
    throw new InteropError(ErrorCode.TRUNCATED, `safetensors file is ${bytes.length} bytes; it needs at least the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > limits.maxHeaderBytes) {
    throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `safetensors header length is ${headerLength} bytes, over the maxHeaderBytes limit of ${limits.maxHeaderBytes}`);
  }
  if (headerLength > bytes.length - HEADER_START) {
    throw new InteropError(ErrorCode.TRUNCATED, `safetensors header length is ${headerLength} bytes, but only ${bytes.length - HEADER_START} bytes follow the length`);
  }
  const dataStart = HEADER_START + headerLength;
  const header = parseHeader(bytes.subarray(HEADER_START, dataStart));
  const dataLength = bytes.length - dataStart;

  let metadata: Record<string, string> = Object.create(null);
  const entries: (SafetensorsEntry & { begin: number; end: number })[] = [];
  for (const name of Object.keys(header)) {
    const value = header[name];
    if (name === '__metadata__') {
      metadata = checkMetadata(value);
      continue;
    }
    const fail = (why: string): never => {
      throw new InteropError(ErrorCode.SAFETENSORS_INVALID, `safetensors tensor ${JSON.stringify(name)}: ${why}`);
    };
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('its header entry is not an object');
    const entry = value as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') fail(`unknown header field ${JSON.stringify(key)}`);
    const dtype = entry.dtype;
    if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPE_BYTES, dtype)) fail(`dtype ${JSON.stringify(dtype)} is not a safetensors dtype`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) fail(`data_offsets [${begin}, ${end}] lie outside the ${dataLength} data bytes`);
    let elements = 1;
    for (const d of shape as number[]) {
      elements *= d;
      if (elements > Number.MAX_SAFE_INTEGER) fail(`shape [${shape}] has too many elements`);
    }
    const expected = elements * SAFETENSORS_DTYPE_BYTES[dtype as string];
    if (end - begin !== expected) fail(`shape [${shape}] of ${dtype} needs ${expected} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    entries.push({ name, dtype: dtype as string, shape: (shape as number[]).slice(), bytes: bytes.subarray(dataStart + begin, dataStart + end), begin, end });
  }
  // Like the reference reader: the entries must tile the data, so no byte is hidden or shared.
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const entry of sorted) {
    if (entry.begin !== covered) {
      throw new InteropError(
        ErrorCode.SAFETENSORS_INVALID,
        entry.begin < covered
          ? `safetensors tensor ${JSON.stringify(entry.name)} overlaps the tensor before it (data_offsets begin at ${entry.begin}, previous data ends at ${covered})`
          : `safetensors data has a gap of ${entry.begin - covered} bytes before tensor ${JSON.stringify(entry.name)} (at data offset ${covered})`,
      );
    }
    covered = entry.end;
  }
  if (covered !== dataLength) {
    throw new InteropError(ErrorCode.SAFETENSORS_INVALID, `safetensors data has ${dataLength - covered} bytes after the last tensor (from data offset ${covered})`);
  }
  return { entries: entries.map(({ name, dtype, shape, bytes: b }) => ({ name, dtype, shape, bytes: b })), metadata };
}

/**
 * An entry's values as f32: F32 copied, F16 and BF16 widened. Charges the
 * budget before allocating. Throws InteropError TENSOR_DTYPE_UNSUPPORTED for
 * other dtypes, LIMIT_EXCEEDED. Cold path: allocates elements × 4 bytes.
 */
export function decodeSafetensorsEntry(entry: SafetensorsEntry, budget: AllocationBudget): DecodedTensor {
  const dtype = entry.dtype as SafetensorsFloatDtype;
  if (!SAFETENSORS_FLOAT_DTYPES.includes(dtype)) {
    throw new InteropError(
      ErrorCode.TENSOR_DTYPE_UNSUPPORTED,
      `safetensors tensor ${JSON.stringify(entry.name)} is ${entry.dtype}; weights must be F32, F16 or BF16 (drop other tensors with keyMap)`,
    );
  }
  const width = SAFETENSORS_DTYPE_BYTES[dtype];
  const count = entry.bytes.length / width;
  const data = budget.float32(count, `safetensors tensor ${JSON.stringify(entry.name)}`);
  const view = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
  if (dtype === 'F32') for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
  else if (dtype === 'F16') for (let i = 0; i < count; i++) data[i] = float16BitsToFloat32(view.getUint16(2 * i, true));
  else for (let i = 0; i < count; i++) data[i] = bfloat16BitsToFloat32(view.getUint16(2 * i, true));
  return { dtype, shape: entry.shape.slice(), data };
}

/**
 * Reads every tensor of a safetensors file as f32 ({@link parseSafetensors},
 * then {@link decodeSafetensorsEntry} for each), keyed by name in a
 * prototype-free object. Cold path.
 */
export function readSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): { tensors: Record<string, DecodedTensor>; metadata: Readonly<Record<string, string>> } {
  const budget = options.budget ?? new AllocationBudget(resolveInteropLimits(options));
  const file = parseSafetensors(bytes, options);
  const tensors: Record<string, DecodedTensor> = Object.create(null);
  for (const entry of file.entries) tensors[entry.name] = decodeSafetensorsEntry(entry, budget);
  return { tensors, metadata: file.metadata };
}

function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    // Invalid UTF-8, invalid JSON, or (on engines with a recursive parser) nesting deep enough to overflow the stack.
    throw new InteropError(ErrorCode.SAFETENSORS_INVALID, `safetensors header is not valid UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InteropError(ErrorCode.SAFETENSORS_INVALID, 'safetensors header is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function checkMetadata(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InteropError(ErrorCode.SAFETENSORS_INVALID, 'safetensors __metadata__ is not an object of strings');
  }
  const metadata: Record<string, string> = Object.create(null);
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw new InteropError(ErrorCode.SAFETENSORS_INVALID, `safetensors __metadata__ entry ${JSON.stringify(key)} is not a string`);
    metadata[key] = text;
  }
  return metadata;
}
