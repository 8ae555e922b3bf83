import { describe, expect, it } from 'vitest';
import { ContinuousCache } from '../../src/adapt/continuous-cache.ts';
import { resolveCacheOptions } from '../../src/adapt/cache-options.ts';
import { ErrorCode, LstmStreamError, SeededRandom, setKernelBackend, kernelBackend } from '../../src/index.ts';

// Grave et al.'s mixture written out directly in float64, independently of the
// cache's in-place logit arithmetic: p = (1 − λ)·softmax(logits) + λ·p_cache.
function referenceMixture(logits: Float32Array, h: Float32Array, states: Float32Array[], tokens: number[], theta: number, lambda: number, unigram: boolean): Float64Array {
  const V = logits.length;
  if (states.length === 0) lambda = 0; // an empty cache has nothing to mix in
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  const p = new Float64Array(V);
  for (let w = 0; w < V; w++) p[w] = ((1 - lambda) * Math.exp(logits[w] - max)) / sum;
  const scores = states.map((state) => (unigram ? 0 : theta * state.reduce((acc, value, j) => acc + value * h[j], 0)));
  const top = Math.max(...scores);
  const weights = scores.map((score) => Math.exp(score - top));
  const total = weights.reduce((a, b) => a + b, 0);
  tokens.forEach((token, i) => (p[token] += (lambda * weights[i]) / total));
  return p;
}

function randomVector(random: SeededRandom, length: number, scale: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.uniform(-scale, scale);
  return out;
}

function softmax64(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  return Float64Array.from(logits, (x) => Math.exp(x - max) / sum);
}

describe('ContinuousCache', () => {
  for (const backend of ['wasm', 'typescript'] as const) {
    it(`mixes the cache into the logits as Grave et al. define it (${backend} dot products), wrapping the ring`, () => {
      const previous = kernelBackend();
      setKernelBackend(backend);
      try {
        const H = 13;
        const V = 50;
        const W = 7;
        const random = new SeededRandom(5);
        const cache = new ContinuousCache(resolveCacheOptions({ kind: 'continuous', size: W, theta: 0.8, lambda: 0.3 }), H, V);
        const states: Float32Array[] = [];
        const tokens: number[] = [];
        for (let step = 0; step < 19; step++) {
          const h = randomVector(random, H, 1);
          const logits = randomVector(random, V, 4);
          const expected = referenceMixture(logits, h, states.slice(-W), tokens.slice(-W), 0.8, 0.3, false);
          cache.mixInPlace(logits, h);
          const got = softmax64(logits);
          let worst = 0;
          for (let w = 0; w < V; w++) worst = Math.max(worst, Math.abs(got[w] - expected[w]));
          expect(worst).toBeLessThan(1e-6);
          // logNormalizer turns the output into log-probabilities directly.
          const token = step % 3 === 0 ? 4 : Math.floor(random.next() * V);
          expect(Math.exp(logits[token] - cache.logNormalizer)).toBeCloseTo(expected[token], 6);
          cache.record(h, token);
          states.push(h);
          tokens.push(token);
        }
        expect(cache.count).toBe(W);
      } finally {
        setKernelBackend(previous);
      }
    });
  }

  it('the unigram kind gives every entry the same weight: p_cache is the recent counts', () => {
    const V = 10;
    const cache = new ContinuousCache(resolveCacheOptions({ kind: 'unigram', size: 4, lambda: 0.5 }), 3, V);
    const h = new Float32Array(3);
    for (const token of [1, 2, 2, 3, 3, 3]) cache.record(h, token); // the ring keeps 2, 3, 3, 3
    const logits = new Float32Array(V); // a uniform model
    cache.mixInPlace(logits, h);
    const p = softmax64(logits);
    expect(p[1]).toBeCloseTo(0.5 / V, 7);
    expect(p[2]).toBeCloseTo(0.5 / V + 0.5 * 0.25, 7);
    expect(p[3]).toBeCloseTo(0.5 / V + 0.5 * 0.75, 7);
  });

  it('an empty cache leaves the logits as they are; clear empties it', () => {
    const cache = new ContinuousCache(resolveCacheOptions({ size: 3 }), 2, 4);
    const logits = Float32Array.of(1, 2, 3, 4);
    cache.mixInPlace(logits, new Float32Array(2));
    expect(Array.from(logits)).toEqual([1, 2, 3, 4]);
    cache.record(Float32Array.of(1, 0), 2);
    cache.clear();
    expect(cache.count).toBe(0);
    cache.mixInPlace(logits, Float32Array.of(1, 0));
    expect(Array.from(logits)).toEqual([1, 2, 3, 4]);
  });

  it('refuses bad options with ADAPT_OPTION_INVALID naming the option', () => {
    for (const bad of [{ size: 0 }, { size: 2.5 }, { lambda: 1 }, { lambda: -0.1 }, { theta: Number.NaN }, { kind: 'lru' as 'unigram' }]) {
      let caught: unknown = null;
      try {
        resolveCacheOptions(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(LstmStreamError);
      expect((caught as LstmStreamError).code).toBe(ErrorCode.ADAPT_OPTION_INVALID);
      expect((caught as Error).message).toMatch(Object.keys(bad)[0]);
    }
  });
});
