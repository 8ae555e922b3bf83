import { describe, expect, it } from 'vitest';
import { createRandomModel, ErrorCode, generate, predictNext, Sampler, softmaxInto } from '../../src/index.ts';

// Probabilities 0.5, 0.3, 0.2 (and a fourth token at ~0) as logits.
const LOGITS = new Float32Array([Math.log(0.5), Math.log(0.3), Math.log(0.2), -40]);

function frequencies(sampler: Sampler, draws: number): number[] {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < draws; i++) counts[sampler.sample(LOGITS)]++;
  return counts.map((c) => c / draws);
}

describe('Sampler', () => {
  it('draws with the softmax probabilities (temperature 1)', () => {
    const f = frequencies(new Sampler(4, { seed: 7 }), 40_000);
    expect(f[0]).toBeCloseTo(0.5, 1);
    expect(Math.abs(f[0] - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(f[1] - 0.3)).toBeLessThan(0.01);
    expect(Math.abs(f[2] - 0.2)).toBeLessThan(0.01);
  });

  it('temperature 2 flattens: p ∝ √p = 0.4155, 0.3218, 0.2628', () => {
    const f = frequencies(new Sampler(4, { temperature: 2, seed: 3 }), 40_000);
    expect(Math.abs(f[0] - 0.4155)).toBeLessThan(0.01);
    expect(Math.abs(f[1] - 0.3218)).toBeLessThan(0.01);
    expect(Math.abs(f[2] - 0.2628)).toBeLessThan(0.01);
  });

  it('temperature 0 is greedy; topK 1 is greedy at any temperature', () => {
    expect(frequencies(new Sampler(4, { temperature: 0 }), 100)).toEqual([1, 0, 0, 0]);
    expect(frequencies(new Sampler(4, { topK: 1, temperature: 5 }), 100)).toEqual([1, 0, 0, 0]);
  });

  it('topK 2 renormalises over the two best: 0.625, 0.375', () => {
    const f = frequencies(new Sampler(4, { topK: 2, seed: 11 }), 40_000);
    expect(f[2]).toBe(0);
    expect(Math.abs(f[0] - 0.625)).toBeLessThan(0.01);
  });

  it('topP keeps the shortest prefix reaching p: 0.6 → {0, 1}; 0.5 → {0}', () => {
    const f = frequencies(new Sampler(4, { topP: 0.6, seed: 5 }), 20_000);
    expect(f[2]).toBe(0);
    expect(Math.abs(f[0] - 0.625)).toBeLessThan(0.015);
    expect(frequencies(new Sampler(4, { topP: 0.5 }), 100)).toEqual([1, 0, 0, 0]);
  });

  it('the same seed gives the same draws', () => {
    const a = new Sampler(4, { seed: 42, temperature: 1.5 });
    const b = new Sampler(4, { seed: 42, temperature: 1.5 });
    const draws = (s: Sampler): number[] => Array.from({ length: 50 }, () => s.sample(LOGITS));
    expect(draws(a)).toEqual(draws(b));
  });

  it('typed errors name the bad option', () => {
    for (const options of [{ temperature: -1 }, { temperature: Number.NaN }, { topK: 1.5 }, { topP: 0 }, { topP: 1.5 }]) {
      expect(() => new Sampler(4, options)).toThrow(expect.objectContaining({ code: ErrorCode.SAMPLING_OPTION_INVALID }));
    }
  });
});

const WORDS = ['<unk>', 'a', 'b', 'c', 'd', '.'];

function languageModel() {
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: 6, inputSize: 4, hiddenSize: 8, numLayers: 2, head: 'softmax', outputSize: 6 },
    { seed: 9, embeddingScale: 1, extras: { vocabulary: WORDS, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

describe('predictNext and generate', () => {
  it('predictNext ranks the next tokens of the session state with softmax probabilities', () => {
    const model = languageModel();
    const session = model.session();
    session.step(1);
    const logits = Array.from(session.step(2));
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const sum = exps.reduce((s, v) => s + v, 0);
    const ranked = exps.map((e, id) => ({ id, p: e / sum })).sort((x, y) => y.p - x.p);
    const predictions = predictNext(session, 3);
    expect(predictions.map((p) => p.id)).toEqual(ranked.slice(0, 3).map((r) => r.id));
    expect(predictions.map((p) => p.token)).toEqual(ranked.slice(0, 3).map((r) => WORDS[r.id]));
    predictions.forEach((p, i) => expect(p.probability).toBeCloseTo(ranked[i].p, 6));
    expect(session.position).toBe(2); // it did not step
  });

  it('predictNext needs a softmax head', () => {
    const regression = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 2, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 1 });
    expect(() => predictNext(regression.session(), 1)).toThrow(expect.objectContaining({ code: ErrorCode.NOT_A_LANGUAGE_MODEL }));
  });

  it('greedy generate equals argmax decoding by hand', () => {
    const model = languageModel();
    const generation = generate(model, 'a b', { maxTokens: 6, temperature: 0 });
    const session = model.session();
    session.step(1);
    let logits = session.step(2);
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      let best = 0;
      for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
      ids.push(best);
      logits = session.step(best);
    }
    expect(generation.ids).toEqual(ids);
    expect(generation.tokens).toEqual(ids.map((id) => WORDS[id]));
  });

  it('seeded generate repeats; another seed differs; ids as prompt work', () => {
    const model = languageModel();
    const options = { maxTokens: 30, temperature: 1.2, topK: 4, seed: 5 };
    expect(generate(model, [1, 2], options).ids).toEqual(generate(model, 'a b', options).ids);
    expect(generate(model, 'a b', { ...options, seed: 6 }).ids).not.toEqual(generate(model, 'a b', options).ids);
  });

  it('typed errors: empty prompt, bad maxTokens', () => {
    const model = languageModel();
    expect(() => generate(model, '', {})).toThrow(expect.objectContaining({ code: ErrorCode.SAMPLING_OPTION_INVALID }));
    expect(() => generate(model, 'a', { maxTokens: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.SAMPLING_OPTION_INVALID }));
  });

  it('softmaxInto reference check for the test itself', () => {
    const p = softmaxInto(new Float32Array(4), LOGITS);
    expect(p[0]).toBeCloseTo(0.5, 6);
  });
});
