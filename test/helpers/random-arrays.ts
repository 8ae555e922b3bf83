import type { SeededRandom } from '../../src/index.ts';

/** A Float32Array of `length` values uniform in ±scale, drawn from a seeded generator. */
export function randomArray(random: SeededRandom, length: number, scale: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = random.uniform(-scale, scale);
  return data;
}
