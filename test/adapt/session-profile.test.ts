import { describe, expect, it } from 'vitest';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';
import { applyProfile, profileOf } from '../../src/adapt/session-profile.ts';
import { decodeProfile, encodeProfile } from '../../src/adapt/profile/profile-codec.ts';
import { createRandomModel, ErrorCode, type Model } from '../../src/index.ts';

const V = 30;
const vocabulary = ['<unk>', '<p>', 'the', 'said', '.', ...Array.from({ length: V - 5 }, (_, i) => `w${i}`)];

function languageModel(seed: number): Model {
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 8, hiddenSize: 8, numLayers: 1, head: 'softmax', outputSize: V },
    { seed, extras: { vocabulary, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

const TEXT = 'the Zorblat said w1 w2 . the Zorblat said w3 . w4 w5 the Quindle said w1 . the Zorblat said';

describe('adaptation profiles', () => {
  it('a profile carries cache, new words, weight deltas and state: a session restored from it predicts exactly as the one that learned', () => {
    const model = languageModel(1);
    const make = (): AdaptiveSession =>
      new AdaptiveSession(model, { cache: { size: 16, theta: 0.5, lambda: 0.3 }, dynamic: dynamicEvaluation(model, { segment: 4, learningRate: 0.5, parameters: 'recurrent' }) });
    const learner = make();
    learner.readText(TEXT);
    const profile = decodeProfile(encodeProfile(profileOf(learner, { includeState: true })));
    expect(profile.newWords.map((w) => [w.text, w.count])).toEqual([['Zorblat', 3], ['Quindle', 1]]);
    expect(profile.cache!.tokens.length).toBe(16);
    expect(profile.deltas.map((d) => d.name)).toEqual(['layers.0.weight', 'layers.0.bias', 'head.bias']);
    const restored = make();
    applyProfile(restored, profile);
    // Deltas travel as adapted − shipped and come back as shipped + delta: equal
    // to float32 rounding, not bit for bit; so probabilities agree to 1e-6.
    const close = (p: { token: string | null; probability: number }) => ({ ...p, probability: expect.closeTo(p.probability, 6) });
    expect(restored.predictNext(5)).toEqual(learner.predictNext(5).map(close));
    // The segment in progress is not part of a profile, so the two update at
    // different tokens from here: the next two (before the learner's next update) must agree.
    for (const word of ['the', 'w7']) {
      const expected = Array.from(learner.readText(word)!);
      const got = Array.from(restored.readText(word)!);
      expect(Math.max(...got.map((x, i) => Math.abs(x - expected[i])))).toBeLessThan(1e-5);
      expect(restored.predictNext(3)).toEqual(learner.predictNext(3).map(close));
    }
  });

  it('refuses a profile made for another model, and weight deltas for a session without dynamic evaluation', () => {
    const model = languageModel(2);
    const learner = new AdaptiveSession(model, { dynamic: dynamicEvaluation(model, { segment: 3 }) });
    learner.readText(TEXT);
    const profile = profileOf(learner);
    expect(() => applyProfile(new AdaptiveSession(languageModel(3)), profile)).toThrow(expect.objectContaining({ code: ErrorCode.PROFILE_MODEL_MISMATCH }));
    expect(() => applyProfile(new AdaptiveSession(model), profile)).toThrow(expect.objectContaining({ code: ErrorCode.ADAPT_OPTION_INVALID }));
  });

  it('a unigram profile loads into a unigram cache; forget() empties the session', () => {
    const model = languageModel(4);
    const learner = new AdaptiveSession(model, { cache: { kind: 'unigram', size: 8 } });
    learner.readText(TEXT);
    const restored = new AdaptiveSession(model, { cache: { kind: 'unigram', size: 8 } });
    applyProfile(restored, decodeProfile(encodeProfile(profileOf(learner))));
    learner.readText('the');
    restored.readText('<p> the');
    expect(restored.predictNext(4)).toEqual(learner.predictNext(4).map((p) => ({ ...p, probability: expect.closeTo(p.probability, 1) })));
    restored.forget();
    expect(restored.cache!.count).toBe(0);
    expect(restored.newWords!.size).toBe(0);
  });
});
