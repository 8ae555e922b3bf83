/** Bytes per element of every dtype the safetensors format defines (so a reader can check any file's layout). */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
});

/** The float dtypes this library reads and writes. */
export type SafetensorsFloatDtype = 'F32' | 'F16' | 'BF16';

/** The readable dtypes, for validation and messages. */
export const SAFETENSORS_FLOAT_DTYPES: readonly SafetensorsFloatDtype[] = ['F32', 'F16', 'BF16'];

const scratch = new DataView(new ArrayBuffer(4));

/** A bfloat16 bit pattern as a number: the top 16 bits of an f32. Cost: a few integer operations. */
export function bfloat16BitsToFloat32(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}

/** The bfloat16 bit pattern nearest to `value` (round to nearest even; NaN stays a quiet NaN). */
export function float32ToBfloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}
