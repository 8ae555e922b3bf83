import { largeBytes } from '../io/large-bytes.ts';
import { float16ToFloat32Into, float32ToFloat16Into } from '../math/f16.ts';

// Model files are little-endian. Typed arrays use the host's byte order, so
// on a (rare) big-endian host every conversion goes through a DataView.
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** values as little-endian f32 bytes (4 per element). Cold path: allocates 4·length bytes. */
export function float32ToBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  if (hostIsLittleEndian) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  } else {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  }
  return bytes;
}

/**
 * A fresh, aligned Float32Array from little-endian f32 bytes (which may sit
 * at any offset of a file buffer; copying lets that buffer be collected).
 * Cold path: allocates bytes.length bytes (large ones through largeBytes).
 */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  const count = bytes.length >>> 2;
  const values = new Float32Array(largeBytes(count * 4).buffer, 0, count);
  if (hostIsLittleEndian) {
    new Uint8Array(values.buffer, 0, count * 4).set(bytes.subarray(0, count * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  }
  return values;
}

/** values rounded to little-endian binary16 bytes (2 per element, round-to-nearest-even). Cold path. */
export function float32ToFloat16Bytes(values: Float32Array): Uint8Array {
  const halves = float32ToFloat16Into(new Uint16Array(values.length), values);
  if (hostIsLittleEndian) return new Uint8Array(halves.buffer);
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < halves.length; i++) view.setUint16(i * 2, halves[i], true);
  return bytes;
}

/** Little-endian binary16 bytes decoded to a fresh Float32Array. Cold path: allocates 2·bytes.length bytes. */
export function float16BytesToFloat32(bytes: Uint8Array): Float32Array {
  const count = bytes.length >>> 1;
  const halves = new Uint16Array(count);
  if (hostIsLittleEndian) {
    new Uint8Array(halves.buffer).set(bytes.subarray(0, count * 2));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) halves[i] = view.getUint16(i * 2, true);
  }
  return float16ToFloat32Into(new Float32Array(largeBytes(count * 4).buffer, 0, count), halves);
}

/** A fresh Int8Array copy of int8 bytes (one per element; large ones through largeBytes). Cold path. */
export function bytesToInt8(bytes: Uint8Array): Int8Array {
  const values = largeBytes(bytes.length);
  values.set(bytes);
  return new Int8Array(values.buffer, 0, bytes.length);
}

/** Int8 values as bytes (a copy). Cold path. */
export function int8ToBytes(values: Int8Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}
