import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float16ToFloat32Into, float32ToFloat16Bits, float32ToFloat16Into } from '../../src/index.ts';

/** binary16 value by the textbook formula, written independently of the code under test. */
function halfValue(bits: number): number {
  const sign = bits >> 15 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const m = bits & 1023;
  if (e === 31) return m ? NaN : sign * Infinity;
  return e === 0 ? sign * Math.pow(2, -14) * (m / 1024) : sign * Math.pow(2, e - 15) * (1 + m / 1024);
}

describe('f16 conversion', () => {
  it('encodes known values', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest finite
      [0.1, 0x2e66],
      [1 / 3, 0x3555],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [1e9, 0x7c00], // overflow
      [-1e9, 0xfc00],
      [1e-9, 0x0000], // underflow
      [-1e-9, 0x8000],
    ];
    for (const [value, bits] of cases) expect(float32ToFloat16Bits(value), `${value}`).toBe(bits);
  });

  it('rounds ties to even, in normals, subnormals, at the overflow edge and across the normal boundary', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and 1+2^-10: down to even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, up to even
    expect(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above halfway: up
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: to even (0)
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: to even (2)
    expect(float32ToFloat16Bits(2 ** -25 + 2 ** -35)).toBe(0x0001); // above half a unit: up
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff); // below the midpoint to 65536
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // the midpoint rounds to even: Infinity
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // halfway between largest subnormal and smallest normal
  });

  it('keeps NaN a NaN', () => {
    const bits = float32ToFloat16Bits(NaN);
    expect((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0).toBe(true);
    expect(float16BitsToFloat32(bits)).toBeNaN();
  });

  it('decodes all 65,536 bit patterns to the textbook value and encodes each back to itself', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const value = float16BitsToFloat32(bits);
      const expected = halfValue(bits);
      if (Number.isNaN(expected)) {
        expect(value).toBeNaN();
        continue;
      }
      if (value !== expected || float32ToFloat16Bits(value) !== bits) {
        expect({ bits, value, back: float32ToFloat16Bits(value) }).toEqual({ bits, value: expected, back: bits });
      }
    }
  });

  it('picks the nearest binary16 (ties to even) for 20,000 random f32 values across the range', () => {
    // Independent reference: binary search over the sorted list of all positive finite halves.
    const halves: number[] = [];
    for (let bits = 0; bits < 0x7c00; bits++) halves.push(halfValue(bits));
    let seed = 12345;
    const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 20000; n++) {
      const magnitude = Math.fround(2 ** (next() * 44 - 28) * (1 + next()));
      const value = next() < 0.5 ? -magnitude : magnitude;
      let low = 0;
      let high = halves.length - 1;
      while (high - low > 1) {
        const mid = (low + high) >> 1;
        if (halves[mid] <= magnitude) low = mid;
        else high = mid;
      }
      let expected: number;
      if (magnitude >= 65520) expected = 0x7c00;
      else {
        const below = Math.abs(magnitude - halves[low]);
        const above = Math.abs(halves[high] - magnitude);
        expected = below < above ? low : above < below ? high : low % 2 === 0 ? low : high;
      }
      if (value < 0) expected |= 0x8000;
      if (float32ToFloat16Bits(value) !== expected) expect({ value, bits: float32ToFloat16Bits(value) }).toEqual({ value, bits: expected });
    }
  });

  it('array forms write into the given buffers', () => {
    const halves = float32ToFloat16Into(new Uint16Array(3), Float32Array.from([1, -2, 0.5]));
    expect(Array.from(halves)).toEqual([0x3c00, 0xc000, 0x3800]);
    expect(Array.from(float16ToFloat32Into(new Float32Array(3), halves))).toEqual([1, -2, 0.5]);
  });
});
