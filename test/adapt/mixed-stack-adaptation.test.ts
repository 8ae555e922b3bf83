import { describe, expect, it } from 'vitest';
import { AdaptiveSession } from '../../src/adapt/adaptive-session.ts';
import { dynamicEvaluation } from '../../src/adapt/dynamic/dynamic-evaluation.ts';
import { applyProfile, profileOf } from '../../src/adapt/session-profile.ts';
import { decodeProfile, encodeProfile } from '../../src/adapt/profile/profile-codec.ts';
import { checkProfileFor } from '../../src/adapt/profile/check-profile-for.ts';
import { createRandomModel, ErrorCode, stateSizeOf, type Model } from '../../src/index.ts';

// Adaptation on a stack whose layers differ in kind and size (issue 16,
// item 3): the cache reads the top layer's h (its own width), dynamic
// evaluation restarts each segment from the snapshot's per-layer state
// through NetworkGraph, and a profile (cache, deltas, state) restores a
// session that predicts as the one that learned.
const V = 30;
const vocabulary = ['<unk>', '<p>', 'the', 'said', '.', ...Array.from({ length: V - 5 }, (_, i) => `w${i}`)];
const TEXT = 'the Zorblat said w1 w2 . the Zorblat said w3 . w4 w5 the Quindle said w1 . the Zorblat said';

function mixedModel(seed: number): Model {
  return createRandomModel(
    {
      cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 8, hiddenSize: 12, numLayers: 2, head: 'softmax', outputSize: V,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'gru', hiddenSize: 7 }],
    },
    { seed, extras: { vocabulary, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

describe('adaptation on a mixed stack (LSTM 12 → GRU 7)', () => {
  it('learns with cache and dynamic evaluation, and a profile with state restores a session that predicts the same', () => {
    const model = mixedModel(1);
    const make = (): AdaptiveSession =>
      new AdaptiveSession(model, { cache: { size: 16, theta: 0.5, lambda: 0.3 }, dynamic: dynamicEvaluation(model, { segment: 4, learningRate: 0.5, parameters: 'recurrent' }) });
    const learner = make();
    const before = make().predictNext(3);
    learner.readText(TEXT);
    expect(learner.predictNext(3)).not.toEqual(before);
    const profile = decodeProfile(encodeProfile(profileOf(learner, { includeState: true })));
    expect(profile.hiddenSize).toBe(7); // the top layer's: the width of the cache's states
    expect(profile.cache!.states.length).toBe(16 * 7);
    expect(profile.state!.length).toBe(stateSizeOf(model.architecture)); // 12 + 7 of h, 12 of the LSTM's C
    expect(profile.state!.length).toBe(31);
    expect(profile.deltas.map((d) => d.name)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'head.bias']);
    const restored = make();
    applyProfile(restored, profile);
    const close = (p: { token: string | null; probability: number }) => ({ ...p, probability: expect.closeTo(p.probability, 6) });
    expect(restored.predictNext(5)).toEqual(learner.predictNext(5).map(close));
    const expected = Array.from(learner.readText('the')!);
    const got = Array.from(restored.readText('the')!);
    expect(Math.max(...got.map((x, i) => Math.abs(x - expected[i])))).toBeLessThan(1e-5);
  });

  it('a profile of another stack with the same top size is refused: the fingerprint covers each layer\'s kind and size', () => {
    const model = mixedModel(2);
    const learner = new AdaptiveSession(model, { cache: { size: 4 } });
    learner.readText(TEXT);
    const profile = profileOf(learner, { includeState: true });
    const other = createRandomModel({ ...model.architecture, layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'gru-reset-before', hiddenSize: 7 }] }, { seed: 2, extras: { vocabulary, tokenizer: { kind: 'word', unknownToken: '<unk>' } } });
    expect(() => checkProfileFor(profile, other)).toThrow(expect.objectContaining({ code: ErrorCode.PROFILE_MODEL_MISMATCH }));
    const wrongState = { ...profile, state: new Float32Array(24) };
    expect(() => checkProfileFor(wrongState, model)).toThrow(/state has 24 floats; a session of this model has 31 \(h, and C for LSTM layers, of lstm:12, gru:7\)/);
  });
});
