// IEEE 754 binary16 ("half") <-> binary32 conversion, written out by hand so
// the library needs no dependency and behaves the same on every runtime
// (Math.f16round and Float16Array are not everywhere yet).

const scratch = new DataView(new ArrayBuffer(4));

/**
 * The binary16 bit pattern nearest to `value` (first rounded to f32), with
 * round-to-nearest-even, gradual underflow to subnormals, overflow to
 * ±Infinity, and NaN kept NaN (quiet). Cost: a few integer operations.
 * Not for the hot path: it goes through a shared DataView.
 */
export function float32ToFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Infinity stays Infinity; NaN keeps its top payload bits and is forced quiet and nonzero.
    return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal (or zero) in binary16: shift the full 24-bit significand down
    // to units of 2^-24 and round the bits shifted out to nearest even.
    const shift = 14 - halfExponent;
    if (shift > 24) return sign; // below half the smallest subnormal: rounds to ±0
    const significand = mantissa | 0x800000;
    let half = significand >>> shift;
    const remainder = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half; // a carry to 0x400 is the smallest normal: still the right encoding
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa bumps the exponent, and past 65504 lands on 0x7c00 (Infinity): both correct.
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** The value of a binary16 bit pattern (exact in f32 and f64). Cost: a few operations. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** out[i] = binary16 bits of values[i]. Returns out. Cold path (model writing); no allocation. */
export function float32ToFloat16Into(out: Uint16Array, values: Float32Array): Uint16Array {
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

/** out[i] = value of the binary16 bits[i]. Returns out. Cold path (model loading); no allocation. */
export function float16ToFloat32Into(out: Float32Array, bits: Uint16Array): Float32Array {
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]);
  return out;
}
