import { describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, Q8Matrix } from '../../src/index.ts';

// Must-show 2 of the model-file issue: a language model with hidden 256 and
// vocabulary 10,000 (embedding 256, one LSTM layer, untied softmax head:
// 5.65 M parameters). Cost: about a second (encodes 23 MB).
describe('file size of an LM with hidden 256 and vocabulary 10,000', () => {
  const model = createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: 10_000, inputSize: 256, hiddenSize: 256, numLayers: 1, head: 'softmax', outputSize: 10_000 },
    { seed: 1 },
  );
  const f32 = encodeModel(model, { dtype: 'f32' });
  const q8 = encodeModel(model, { dtype: 'q8' });

  it('the q8 file is at most 0.27 times the f32 file', () => {
    const parameters = 10_000 * 256 + 1024 * 512 + 1024 + 10_000 * 256 + 10_000;
    expect(model.parameterCount).toBe(parameters);
    expect(f32.length).toBeGreaterThan(parameters * 4); // 4 bytes a weight plus the document
    expect(f32.length).toBeLessThan(parameters * 4 + 1024);
    expect(q8.length / f32.length).toBeLessThanOrEqual(0.27);
    expect(q8.length / f32.length).toBeCloseTo(0.2552, 3);
  });

  it('q4 (blocks of 32: half a byte plus 4/32 of a byte per weight) is about 0.158 times, f16 about half', () => {
    expect(encodeModel(model, { dtype: 'q4' }).length / f32.length).toBeCloseTo(0.1579, 3); // 0.15625 plus the f32 biases
    expect(encodeModel(model, { dtype: 'f16' }).length / f32.length).toBeCloseTo(0.501, 3);
  });

  it('the loaded q8 model keeps its weights as int8 + scales: resident weight bytes within 0.1% of the file size', () => {
    const loaded = decodeModel(q8);
    expect(loaded.head!.weight).toBeInstanceOf(Q8Matrix);
    expect(loaded.byteLength).toBeLessThanOrEqual(q8.length);
    expect(loaded.byteLength / q8.length).toBeGreaterThan(0.999);
  });
});
