import { afterEach, describe, expect, it } from 'vitest';
import { createRandomModel, Model, NextTokenPredictor, quantizeModel, setKernelBackend, type Prediction, type Session } from '../../src/index.ts';
import { wasmSimdSupported } from '../../src/math/wasm/kernel-module.ts';

// Session.predictNext ranks the step's own logits while the state is the
// step's (Session.currentOutput), and recomputes the head otherwise.

const V = 300;
const H = 32;
const base = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: H, hiddenSize: H, numLayers: 2, head: 'softmax', outputSize: V }, { seed: 11 });
const C = 12;
const withClasses = new Model({
  embedding: base.embedding,
  layers: base.layers,
  head: base.head,
  metadata: {
    outputClasses: {
      classCount: C,
      classOf: Array.from({ length: V }, (_, w) => w % C),
      weight: Array.from({ length: C }, (_, c) => Array.from({ length: H }, (_, j) => Math.sin(c * 3 + j) * 0.3)),
      bias: Array.from({ length: C }, (_, c) => c * 0.01),
    },
  },
});
const models: [string, Model][] = [
  ['f32', base],
  ['q8', quantizeModel(base, { dtype: 'q8' })],
  ['q4', quantizeModel(base, { dtype: 'q4' })],
  ['output classes', withClasses],
];
const backends = wasmSimdSupported() ? (['wasm', 'typescript'] as const) : (['typescript'] as const);

/** softmax of the session's recomputed state, in f64: what predictNext must say. */
function expectSame(actual: Prediction[], expected: Prediction[]): void {
  expect(actual.map((p) => p.id)).toEqual(expected.map((p) => p.id));
  actual.forEach((p, i) => expect(Math.abs(p.probability - expected[i].probability)).toBeLessThan(1e-6));
}

/** The reference: a fork has no step of its own, so its predictNext recomputes the head from h. */
const recomputed = (session: Session, k: number): Prediction[] => session.fork().predictNext(k);

afterEach(() => setKernelBackend('auto'));

describe('predictNext from the step', () => {
  for (const backend of backends) {
    for (const [name, model] of models) {
      it(`${name}, ${backend}: after a step it ranks the step's logits, equal to the recomputed head within 1e-6`, () => {
        setKernelBackend(backend);
        const session = model.session();
        expect(session.currentOutput()).toBeNull(); // no step yet
        for (const token of [3, 17, 250, 9, 0, 42]) {
          const logits = session.step(token);
          expect(session.currentOutput()).toBe(logits);
          const got = session.predictNext(5);
          expectSame(got, recomputed(session, 5));
          // and the f64 softmax of the step's logits
          let max = -Infinity;
          for (const v of logits) max = Math.max(max, v);
          let sum = 0;
          for (const v of logits) sum += Math.exp(v - max);
          got.forEach((p) => expect(Math.abs(p.probability - Math.exp(logits[p.id] - max) / sum)).toBeLessThan(1e-6));
        }
      });
    }

    it(`${backend}: restore, reset, writes into h and discardOutput make it recompute`, () => {
      setKernelBackend(backend);
      const session = base.session();
      session.step(5);
      const saved = session.snapshot();
      session.step(6);
      expect(session.currentOutput()).not.toBeNull();
      session.restore(saved);
      expect(session.currentOutput()).toBeNull();
      expectSame(session.predictNext(4), recomputed(session, 4));

      session.step(7);
      session.reset();
      expect(session.currentOutput()).toBeNull();
      expectSame(session.predictNext(4), recomputed(session, 4));

      // A write into the top layer's h through the live view is caught by the compare.
      session.step(8);
      const top = (base.architecture.numLayers - 1) * H;
      session.h[top + 3] += 0.25;
      expect(session.currentOutput()).toBeNull();
      const afterWrite = session.predictNext(6);
      expectSame(afterWrite, recomputed(session, 6));
      // Writing back the same bits does not make the old output current again (the flag stays down).
      session.h[top + 3] -= 0.25;
      expect(session.currentOutput()).toBeNull();

      // The same value written again leaves the output current; a lower layer does not feed the head.
      session.step(9);
      session.h[top] = session.h[top];
      session.h[0] = 0.5;
      expect(session.currentOutput()).not.toBeNull();
      expectSame(session.predictNext(3), recomputed(session, 3));

      session.discardOutput();
      expect(session.currentOutput()).toBeNull();
      session.step(10);
      expect(session.currentOutput()).not.toBeNull();
    });
  }

  it('a recomputation and the step agree across stream top and predictNext', async () => {
    const session = base.session();
    const stream = session.stream({ top: 5 });
    const done = (async () => {
      const tops: Prediction[][] = [];
      for await (const result of stream) tops.push(result.top!);
      return tops;
    })();
    const other = base.session();
    const expected: Prediction[][] = [];
    for (const token of [1, 2, 3]) {
      other.step(token);
      expected.push(recomputed(other, 5));
      await stream.push(token);
    }
    await stream.end();
    const tops = await done;
    tops.forEach((top, i) => expectSame(top, expected[i]));
  });
});

describe.skipIf(!wasmSimdSupported())('NextTokenPredictor: WebAssembly and TypeScript agree', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (const size of [1, 3, 4, 5, 7, 8, 33, 1001, 17906]) {
    it(`size ${size}: same ids (ties: lower id first), probabilities within 1e-6 of Math.exp`, () => {
      const wasm = new NextTokenPredictor(size, null, 'wasm');
      const ts = new NextTokenPredictor(size, null, 'typescript');
      for (const spread of [0.1, 4, 30]) {
        const logits = new Float32Array(size);
        for (let i = 0; i < size; i++) logits[i] = Math.round((random() - 0.5) * spread * 8) / 8; // many ties
        if (size > 10) logits[size - 1] = -Infinity;
        let max = -Infinity;
        for (const v of logits) max = Math.max(max, v);
        let sum = 0;
        for (const v of logits) sum += Math.exp(v - max);
        for (const k of [1, 2, 5, 10, 64, 65, 200]) {
          const a = wasm.predict(logits, k);
          const b = ts.predict(logits, k);
          expect(a.map((p) => p.id)).toEqual(b.map((p) => p.id));
          // the reference ranking: a full sort, larger first, then lower id
          const order = Array.from(logits, (v, id) => ({ v, id })).sort((x, y) => y.v - x.v || x.id - y.id);
          expect(a.map((p) => p.id)).toEqual(order.slice(0, Math.min(k, size)).map((o) => o.id));
          a.forEach((p, i) => {
            const exact = Math.exp(logits[p.id] - max) / sum;
            expect(Math.abs(p.probability - exact)).toBeLessThanOrEqual(1e-6 * exact + 1e-12);
            expect(Math.abs(b[i].probability - exact)).toBeLessThanOrEqual(1e-6 * exact + 1e-12);
          });
        }
        // The log-normalizer alone (what the adaptive session's cache mixes with, through an array): log Σ exp within 1e-6.
        const exactLogNormalizer = max + Math.log(sum);
        for (const predictor of [wasm, ts]) {
          const out = new Float64Array(1);
          predictor.logNormalizerInto(out, logits);
          expect(Math.abs(out[0] - exactLogNormalizer)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(exactLogNormalizer)));
        }
      }
    });
  }

  it('the log-normalizer of logits with +∞, only −∞ or NaN is not finite (+∞ on the kernel, NaN in TypeScript), −∞ and NaN, on both backends', () => {
    for (const backend of ['wasm', 'typescript'] as const) {
      const predictor = new NextTokenPredictor(5, null, backend);
      const out = new Float64Array(1);
      predictor.logNormalizerInto(out, Float32Array.of(1, Number.POSITIVE_INFINITY, 0, 2, 3));
      expect(out[0]).toBe(backend === 'wasm' ? Number.POSITIVE_INFINITY : Number.NaN);
      predictor.logNormalizerInto(out, new Float32Array(5).fill(Number.NEGATIVE_INFINITY));
      expect(out[0]).toBe(Number.NEGATIVE_INFINITY);
      predictor.logNormalizerInto(out, Float32Array.of(1, Number.NaN, 0, 2, 3));
      expect(out[0]).toBeNaN();
    }
  });
});
