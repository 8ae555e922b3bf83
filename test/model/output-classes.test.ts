import { describe, expect, it } from 'vitest';
import { classLogProbabilitiesInPlace, createRandomModel, Model, type OutputClassLayer } from '../../src/index.ts';

const V = 6;
const H = 3;
const base = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 4, hiddenSize: H, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 9 });
const classes = { classCount: 2, classOf: [0, 0, 1, 1, 1, 0], weight: [[0.5, -1, 2], [1, 0.25, -0.5]], bias: [0.1, -0.2] };
const withClasses = (outputClasses: unknown) => new Model({ embedding: base.embedding, layers: base.layers, head: base.head, metadata: { outputClasses } });

describe('factorized output at inference (metadata.outputClasses)', () => {
  it('step returns log P(w|h) = log P(class | h) + log softmax within the class, by hand', () => {
    const model = withClasses(classes);
    const plain = base.session();
    const factorized = model.session();
    const logits = plain.step(2);
    const logProbabilities = factorized.step(2);
    const h = Array.from(factorized.h);
    const classLogits = classes.weight.map((row, c) => classes.bias[c] + row.reduce((s, z, j) => s + z * h[j], 0));
    const classNorm = Math.log(classLogits.reduce((s, x) => s + Math.exp(x), 0));
    for (let w = 0; w < V; w++) {
      const c = classes.classOf[w];
      const members = classes.classOf.map((k, m) => (k === c ? m : -1)).filter((m) => m >= 0);
      const within = logits[w] - Math.log(members.reduce((s, m) => s + Math.exp(logits[m]), 0));
      expect(logProbabilities[w]).toBeCloseTo(classLogits[c] - classNorm + within, 5);
    }
    expect(Array.from(logProbabilities).reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 6);
  });

  it('the in-place function matches the session and leaves an empty class alone', () => {
    const layer: OutputClassLayer = { classCount: 3, classOf: Int32Array.of(0, 0, 2, 2, 2, 0), weight: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), bias: Float32Array.of(0, 5, 0) };
    const logits = Float32Array.of(1, 2, 3, -1, 0, 0.5);
    const out = classLogProbabilitiesInPlace(logits, Float32Array.of(0.2, 0.1, -0.3), 0, layer, new Float32Array(9));
    expect(out).toBe(logits);
    for (const x of out) expect(Number.isFinite(x)).toBe(true);
    // Class 1 has no words, so its (large) share of probability is lost, as the factorization says.
    const total = Array.from(out).reduce((s, x) => s + Math.exp(x), 0);
    const classShare = [0.2, 5.1, -0.3].map(Math.exp);
    expect(total).toBeCloseTo((classShare[0] + classShare[2]) / (classShare[0] + classShare[1] + classShare[2]), 6);
  });

  it('rejects malformed metadata with INVALID_CONFIG naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['x', /metadata.outputClasses: expected an object/],
      [{ ...classes, classCount: 0 }, /classCount is 0/],
      [{ ...classes, classOf: [0, 0, 1] }, /classOf must list the class of each of the 6 words/],
      [{ ...classes, classOf: [0, 0, 1, 1, 2, 0] }, /classOf\[4\] is 2; expected an integer in \[0, 2\)/],
      [{ ...classes, weight: [[1, 2, 3]] }, /weight must have 2 rows/],
      [{ ...classes, weight: [[1, 2, 3], [1, 2]] }, /weight\[1\] must have 3 numbers/],
      [{ ...classes, weight: [[1, 2, 3], [1, null, 2]] }, /weight\[1\]\[1\] is null/],
      [{ ...classes, bias: [0, 'a'] }, /bias\[1\] is "a"/],
    ];
    for (const [outputClasses, message] of bad) {
      expect(() => withClasses(outputClasses)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(message) }));
    }
    expect(withClasses(undefined).outputClasses).toBeNull();
  });
});
