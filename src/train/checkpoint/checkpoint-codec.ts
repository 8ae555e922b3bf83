import { ErrorCode } from '../../errors.ts';
import { TrainingError } from '../errors.ts';

/** A checkpoint in memory: a JSON-able header and the float arrays it refers to by position. */
export interface CheckpointData {
  readonly header: Record<string, unknown>;
  readonly arrays: readonly Float32Array[];
}

const MAGIC = 'LSTMCKP1';

/**
 * Bytes of a checkpoint: "LSTMCKP1", a u32 (little-endian) header length, the
 * UTF-8 JSON header (with `arrayLengths` added), zero padding to a multiple
 * of 4, then every array's float32 values (little-endian) back to back.
 * Cold path: allocates the whole file once.
 */
export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ ...data.header, arrayLengths: data.arrays.map((a) => a.length) }));
  const headerEnd = 12 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  let floats = 0;
  for (const array of data.arrays) floats += array.length;
  const bytes = new Uint8Array(dataStart + floats * 4);
  for (let i = 0; i < 8; i++) bytes[i] = MAGIC.charCodeAt(i);
  new DataView(bytes.buffer).setUint32(8, header.length, true);
  bytes.set(header, 12);
  const view = new DataView(bytes.buffer);
  let offset = dataStart;
  for (const array of data.arrays) {
    for (let i = 0; i < array.length; i++, offset += 4) view.setFloat32(offset, array[i], true);
  }
  return bytes;
}

/** Parses {@link encodeCheckpoint}'s bytes; throws TrainingError (CHECKPOINT_INVALID) saying what is wrong. `where` names the file. */
export function decodeCheckpoint(bytes: Uint8Array, where = 'checkpoint'): CheckpointData {
  const fail = (why: string): never => {
    throw new TrainingError(ErrorCode.CHECKPOINT_INVALID, `${where}: ${why}`);
  };
  if (bytes.length < 12) fail(`${bytes.length} bytes is too short for a checkpoint`);
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) fail('does not start with LSTMCKP1; not a checkpoint of this trainer');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Record<string, unknown>;
  } catch (error) {
    throw new TrainingError(ErrorCode.CHECKPOINT_INVALID, `${where}: header at byte 12 is not valid JSON`, { cause: error });
  }
  const lengths = header.arrayLengths;
  if (!Array.isArray(lengths) || !lengths.every((n) => Number.isInteger(n) && n >= 0)) fail('header has no valid arrayLengths');
  let offset = Math.ceil((12 + headerLength) / 4) * 4;
  const total = (lengths as number[]).reduce((sum, n) => sum + n, 0);
  if (offset + total * 4 !== bytes.length) fail(`expected ${offset + total * 4} bytes for the header and ${total} floats, found ${bytes.length} (truncated?)`);
  const arrays = (lengths as number[]).map((n) => {
    const array = new Float32Array(n);
    for (let i = 0; i < n; i++, offset += 4) array[i] = view.getFloat32(offset, true);
    return array;
  });
  return { header, arrays };
}
