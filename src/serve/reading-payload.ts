import { ErrorCode } from '../errors.ts';
import { ServeError } from './serve-error.ts';

/**
 * A message payload that is not a reading the model can take: its `code` is
 * READING_MALFORMED, READING_WRONG_SIZE, READING_NOT_FINITE or
 * READING_TOO_LARGE, and its message says what was wrong. The MQTT bridge
 * reports it on its error topic and steps nothing.
 */
export class ReadingError extends ServeError {}

// fatal: bytes that are not UTF-8 are refused instead of being read as U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one reading into `out` (length: the model's inputSize) and returns
 * it: a payload of UTF-8 JSON, either a number (when inputSize is 1) or an
 * array of exactly inputSize numbers, each finite once stored as float32.
 * Throws ReadingError before writing anything for a payload over maxBytes,
 * bytes that are not UTF-8 JSON, another JSON type, a wrong length, or a
 * value outside float32's range. Cost: decoding and JSON.parse of the
 * payload (they allocate; the model step after it does not).
 */
export function readReadingInto(out: Float32Array, payload: Uint8Array, maxBytes: number): Float32Array {
  if (payload.length > maxBytes) {
    throw new ReadingError(ErrorCode.READING_TOO_LARGE, `the payload is ${payload.length} bytes; at most ${maxBytes} are read`);
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch {
    throw new ReadingError(
      ErrorCode.READING_MALFORMED,
      payload.length === 0 ? 'the payload is empty; expected a JSON number or array of numbers' : 'the payload is not UTF-8 JSON; expected a JSON number or array of numbers',
    );
  }
  const size = out.length;
  if (typeof value === 'number') {
    if (size !== 1) throw new ReadingError(ErrorCode.READING_WRONG_SIZE, `a single number was sent; this model reads ${size} values per reading (send an array of ${size} numbers)`);
    checkFinite(value, 0, size);
    out[0] = value;
    return out;
  }
  if (!Array.isArray(value)) {
    throw new ReadingError(ErrorCode.READING_MALFORMED, `the payload is a JSON ${value === null ? 'null' : typeof value}; expected a number or an array of ${size} numbers`);
  }
  if (value.length !== size) {
    throw new ReadingError(ErrorCode.READING_WRONG_SIZE, `the array has ${value.length} values; this model reads ${size} per reading`);
  }
  for (let i = 0; i < size; i++) {
    const element: unknown = value[i];
    if (typeof element !== 'number') {
      throw new ReadingError(ErrorCode.READING_MALFORMED, `element ${i} is a JSON ${element === null ? 'null' : Array.isArray(element) ? 'array' : typeof element}; expected a number`);
    }
    checkFinite(element, i, size);
  }
  for (let i = 0; i < size; i++) out[i] = value[i] as number;
  return out;
}

/** Refuses a value that is not finite as a double (1e999 parses to Infinity) or as a float32 (1e39). */
function checkFinite(value: number, index: number, size: number): void {
  if (Number.isFinite(Math.fround(value))) return;
  const where = size === 1 ? 'the reading' : `element ${index}`;
  throw new ReadingError(ErrorCode.READING_NOT_FINITE, `${where} (${value}) is outside the range of a 32-bit float`);
}
