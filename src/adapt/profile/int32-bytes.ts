// Profile files store int32 payloads (cache tokens, new-word indices, delta
// rows) little-endian, like every binary payload of this library's files.
// Typed arrays use the host's byte order, so on a (rare) big-endian host
// the conversion goes through a DataView.
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** values as little-endian int32 bytes (4 per element). Cold path: allocates 4·length bytes. */
export function int32ToBytes(values: Int32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  if (hostIsLittleEndian) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  } else {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i], true);
  }
  return bytes;
}

/**
 * A fresh, aligned Int32Array from little-endian int32 bytes (a view into a
 * file may sit at any offset; the copy lets the file be collected).
 * Reads floor(bytes.length / 4) elements. Cold path: allocates that many.
 */
export function bytesToInt32(bytes: Uint8Array): Int32Array {
  const values = new Int32Array(bytes.length >>> 2);
  if (hostIsLittleEndian) {
    new Uint8Array(values.buffer).set(bytes.subarray(0, values.length * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = view.getInt32(i * 4, true);
  }
  return values;
}
