import { ErrorCode } from '../errors.ts';
import { FormatError } from './errors.ts';

/** Length limits the structural scan enforces (see FormatLimits). */
export interface ScanLimits {
  readonly maxStringLength: number;
  readonly maxBinLength: number;
  readonly maxArrayLength: number;
  readonly maxMapLength: number;
}

/**
 * Walks one MessagePack document over the whole of `bytes` without decoding
 * or allocating anything, and throws FormatError (with the byte offset) when
 * it is truncated (TRUNCATED), followed by more bytes (TRAILING_BYTES), uses
 * an extension type (EXTENSION_TYPE) or the unused byte 0xc1 (NOT_MSGPACK),
 * or declares a string, binary, array or map longer than a limit
 * (LIMIT_EXCEEDED).
 *
 * Why it exists: a decoder allocates an array of the declared length before
 * reading its elements, so a few bytes declaring nested arrays of millions of
 * elements would exhaust memory. Here every declared element must still fit
 * in the remaining bytes (each takes at least one), so once this scan passes
 * a decoder allocates at most in proportion to the file.
 * Cost: one pass over the headers (payloads are skipped), no allocation.
 */
export function scanMessagePack(bytes: Uint8Array, limits: ScanLimits): void {
  const n = bytes.length;
  let pos = 0;
  let pending = 1; // values still expected, counting the elements of every open array and map
  while (pending > 0) {
    if (pos >= n) {
      throw new FormatError(ErrorCode.TRUNCATED, `file is truncated: it ends at byte ${n} with ${pending} MessagePack value(s) still expected`);
    }
    const head = bytes[pos];
    pending--;
    let headerLength = 1;
    let payload = 0;
    let children = 0;
    if (head <= 0x7f || head >= 0xe0 || head === 0xc0 || head === 0xc2 || head === 0xc3) {
      // fixint, nil, false, true: the head byte is the whole value
    } else if (head <= 0x8f) {
      children = 2 * checkLength('map', head & 0x0f, limits.maxMapLength, pos);
    } else if (head <= 0x9f) {
      children = checkLength('array', head & 0x0f, limits.maxArrayLength, pos);
    } else if (head <= 0xbf) {
      payload = checkLength('string', head & 0x1f, limits.maxStringLength, pos);
    } else if (head === 0xc1) {
      throw new FormatError(ErrorCode.NOT_MSGPACK, `byte 0xc1 at offset ${pos} is never used in MessagePack`);
    } else if (head >= 0xc7 && head <= 0xc9) {
      throw extensionError(bytes, pos, head === 0xc7 ? 2 : head === 0xc8 ? 3 : 5);
    } else if (head >= 0xd4 && head <= 0xd8) {
      throw extensionError(bytes, pos, 1);
    } else {
      const fixed = FIXED_PAYLOAD[head - 0xc4];
      if (fixed >= 0) {
        payload = fixed;
      } else {
        // A length-prefixed value: bin 8/16/32, str 8/16/32, array 16/32, map 16/32.
        const lengthBytes = LENGTH_BYTES[head - 0xc4];
        headerLength = 1 + lengthBytes;
        if (pos + headerLength > n) {
          throw new FormatError(ErrorCode.TRUNCATED, `file is truncated inside the MessagePack header at byte ${pos}`);
        }
        const length = readLength(bytes, pos + 1, lengthBytes);
        if (head <= 0xc6) payload = checkLength('binary', length, limits.maxBinLength, pos);
        else if (head >= 0xd9 && head <= 0xdb) payload = checkLength('string', length, limits.maxStringLength, pos);
        else if (head === 0xdc || head === 0xdd) children = checkLength('array', length, limits.maxArrayLength, pos);
        else children = 2 * checkLength('map', length, limits.maxMapLength, pos);
      }
    }
    const next = pos + headerLength + payload;
    if (next > n) {
      throw new FormatError(
        ErrorCode.TRUNCATED,
        `file is truncated: the value at byte ${pos} needs ${headerLength + payload} bytes, only ${n - pos} remain`,
      );
    }
    pos = next;
    pending += children;
    if (pending > n - pos) {
      throw new FormatError(
        ErrorCode.TRUNCATED,
        `file is truncated: the value at byte ${pos - headerLength} leaves ${pending} values to read in the ${n - pos} bytes that remain`,
      );
    }
  }
  if (pos < n) {
    throw new FormatError(ErrorCode.TRAILING_BYTES, `${n - pos} trailing byte(s) after the MessagePack document, from byte ${pos}`);
  }
}

// Indexed by head - 0xc4, for 0xc4 … 0xdf: bytes of payload for fixed-size
// values, -1 for length-prefixed ones (extensions are handled before).
const FIXED_PAYLOAD = [
  -1, -1, -1, // bin 8/16/32
  0, 0, 0, // ext 8/16/32 (not reached)
  4, 8, // float 32/64
  1, 2, 4, 8, // uint 8/16/32/64
  1, 2, 4, 8, // int 8/16/32/64
  0, 0, 0, 0, 0, // fixext (not reached)
  -1, -1, -1, // str 8/16/32
  -1, -1, // array 16/32
  -1, -1, // map 16/32
];
const LENGTH_BYTES = [1, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 2, 4, 2, 4];

function readLength(bytes: Uint8Array, at: number, lengthBytes: number): number {
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + bytes[at + i];
  return length;
}

// Which FormatLimits option bounds each kind of value, for the message.
const LIMIT_NAMES: Record<string, string> = {
  string: 'maxStringLength',
  binary: 'maxTensorElements × 4 and maxBytes',
  array: 'maxArrayLength (maxVocabulary for the vocabulary)',
  map: 'maxMapLength',
};

function checkLength(what: string, length: number, limit: number, pos: number): number {
  if (length > limit) {
    throw new FormatError(
      ErrorCode.LIMIT_EXCEEDED,
      `the ${what} at byte ${pos} has length ${length}, over the limit of ${limit} (${LIMIT_NAMES[what]})`,
    );
  }
  return length;
}

function extensionError(bytes: Uint8Array, pos: number, typeOffset: number): FormatError {
  const type = pos + typeOffset < bytes.length ? String((bytes[pos + typeOffset] << 24) >> 24) : 'unknown';
  return new FormatError(
    ErrorCode.EXTENSION_TYPE,
    `MessagePack extension (type ${type}) at byte ${pos}: model files use no extension types`,
  );
}
