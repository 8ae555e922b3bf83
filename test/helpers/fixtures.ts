import { readFileSync } from 'node:fs';

/** A tensor as the PyTorch fixtures store it. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** Reads test/fixtures/torch/<name>.json (PyTorch reference values; see its README). */
export function loadTorchFixture<T = Record<string, unknown>>(name: string): T {
  const url = new URL(`../fixtures/torch/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

/** Row t of a [T × n] fixture tensor as a Float32Array. */
export function rowOf(tensor: FixtureTensor, t: number): Float32Array {
  const n = tensor.shape[tensor.shape.length - 1];
  return Float32Array.from(tensor.data.slice(t * n, (t + 1) * n));
}

/** Largest |a[i] - b[i]|; Infinity when lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) max = d; // NaN propagates as a failure
  }
  return max;
}
