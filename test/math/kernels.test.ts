import { describe, expect, it } from 'vitest';
import { logSoftmaxInto, logSumExp, matVecInto, reluInto, sigmoid, sigmoidInto, softmaxInto, tanhInto, topKInto } from '../../src/index.ts';

describe('matVecInto', () => {
  it('computes bias + W·x for every row count around the 4-row unroll', () => {
    for (const rows of [1, 3, 4, 5, 8, 9]) {
      const cols = 3;
      const W = Float32Array.from({ length: rows * cols }, (_, i) => i + 1);
      const x = Float32Array.from([9, 0.5, -2, 1, -1]); // read from offset 2: [-2, 1, -1]
      const bias = Float32Array.from({ length: rows }, (_, r) => 10 * r);
      const out = new Float32Array(rows);
      expect(matVecInto(out, W, rows, cols, x, 2, bias)).toBe(out);
      for (let r = 0; r < rows; r++) {
        const [a, b, c] = [3 * r + 1, 3 * r + 2, 3 * r + 3];
        expect(out[r]).toBe(10 * r - 2 * a + b - c);
      }
    }
  });

  it('treats a null bias as zero', () => {
    const out = matVecInto(new Float32Array(2), Float32Array.from([1, 2, 3, 4]), 2, 2, Float32Array.from([1, 1]), 0, null);
    expect(Array.from(out)).toEqual([3, 7]);
  });
});

describe('activations', () => {
  it('sigmoid matches 1/(1+e^-v) and saturates without NaN', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2)).toBeCloseTo(0.8807970779778823, 15);
    expect(sigmoid(-2)).toBeCloseTo(0.11920292202211755, 15);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(Array.from(sigmoidInto(new Float32Array(2), Float32Array.from([0, -1000])))).toEqual([0.5, 0]);
  });

  it('tanh and relu write into out', () => {
    const x = Float32Array.from([-1, 0, 2]);
    expect(Array.from(tanhInto(new Float32Array(3), x))).toEqual(Array.from(Float32Array.from([Math.tanh(-1), 0, Math.tanh(2)])));
    expect(Array.from(reluInto(new Float32Array(3), x))).toEqual([0, 0, 2]);
  });
});

describe('softmax and log-softmax', () => {
  it('gives the known distribution of [1, 2, 3]', () => {
    const p = softmaxInto(new Float32Array(3), Float32Array.from([1, 2, 3]));
    // e^1, e^2, e^3 normalised: 0.09003057, 0.24472847, 0.66524096
    expect(p[0]).toBeCloseTo(0.09003057, 7);
    expect(p[1]).toBeCloseTo(0.24472847, 7);
    expect(p[2]).toBeCloseTo(0.66524096, 7);
  });

  it('is stable for huge logits and works in place', () => {
    const x = Float32Array.from([1000, 1000, -1000]);
    softmaxInto(x, x);
    expect(Array.from(x)).toEqual([0.5, 0.5, 0]);
    expect(logSumExp(Float32Array.from([1000, 1000]))).toBeCloseTo(1000 + Math.LN2, 10);
  });

  it('log-softmax equals x - log Σ e^x', () => {
    const out = logSoftmaxInto(new Float32Array(3), Float32Array.from([1, 2, 3]));
    expect(out[2]).toBeCloseTo(Math.log(0.66524096), 6);
    expect(out[0]).toBeCloseTo(1 - 3.40760596, 6);
  });
});

describe('topKInto', () => {
  it('returns the k largest, largest first, lower index first on ties', () => {
    const x = Float32Array.from([0.1, 0.9, 0.3, 0.9, -5, 0.7]);
    const ids = new Int32Array(4);
    const values = new Float32Array(4);
    expect(topKInto(ids, values, x)).toBe(4);
    expect(Array.from(ids)).toEqual([1, 3, 5, 2]);
    expect(Array.from(values)).toEqual(Array.from(Float32Array.from([0.9, 0.9, 0.7, 0.3])));
  });

  it('agrees with a full sort on random inputs and never ranks NaN above a number', () => {
    let seed = 12345;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(next() * 60);
      const x = Float32Array.from({ length: n }, () => Math.round(next() * 20) / 4);
      if (trial % 7 === 0) x[Math.floor(next() * n)] = NaN;
      const k = 1 + Math.floor(next() * 8);
      const ids = new Int32Array(k);
      const got = topKInto(ids, null, x);
      const ranked = Array.from(x.keys())
        .filter((i) => !Number.isNaN(x[i]))
        .sort((a, b) => x[b] - x[a] || a - b);
      const nanIds = Array.from(x.keys()).filter((i) => Number.isNaN(x[i]));
      expect(got).toBe(Math.min(k, n));
      expect(Array.from(ids.subarray(0, got))).toEqual([...ranked, ...nanIds].slice(0, got));
    }
  });

  it('handles k larger than the input', () => {
    const ids = new Int32Array(5).fill(-1);
    expect(topKInto(ids, null, Float32Array.from([2, 1]))).toBe(2);
    expect(Array.from(ids.subarray(0, 2))).toEqual([0, 1]);
  });
});
