import { describe, expect, it } from 'vitest';
import { checkProfileFor } from '../../src/adapt/profile/check-profile-for.ts';
import { modelFingerprint } from '../../src/adapt/profile/model-fingerprint.ts';
import { decodeProfile, encodeProfile } from '../../src/adapt/profile/profile-codec.ts';
import type { AdaptationProfile } from '../../src/adapt/profile/profile-contents.ts';
import { ProfileError } from '../../src/adapt/profile/profile-error.ts';
import { ErrorCode } from '../../src/errors.ts';
import { decodeModel } from '../../src/format/decode-model.ts';
import { encodeModel } from '../../src/format/encode-model.ts';
import { F32Matrix } from '../../src/math/f32-matrix.ts';
import type { Architecture } from '../../src/model/architecture.ts';
import { createCell } from '../../src/model/build-layer.ts';
import { Model } from '../../src/model/model.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import { floats } from './profile-helpers.ts';

const lm: Architecture = { cell: 'lstm', input: 'embedding', vocabSize: 12, inputSize: 5, hiddenSize: 4, numLayers: 2, head: 'softmax', outputSize: 12 };
const vocabulary = Array.from({ length: 12 }, (_, i) => `w${i}`);
const model = (seed = 1, extras = { vocabulary }): Model => createRandomModel(lm, { seed, extras });

/** A model equal to `base` but for one weight of one tensor. */
function withOneWeightChanged(base: Model, layer: number, index: number, delta: number): Model {
  const layers = base.layers.map((cell, l) => {
    if (l !== layer) return cell;
    const data = cell.weight.toFloat32();
    data[index] += delta;
    return createCell(cell.kind, cell.inputSize, cell.hiddenSize, new F32Matrix(cell.weight.rows, cell.weight.cols, data), cell.bias);
  });
  return new Model({ embedding: base.embedding, layers, head: base.head, vocabulary: base.vocabulary, tokenizer: base.tokenizer, metadata: base.metadata });
}

function profileOf(m: Model, changes: Partial<AdaptationProfile> = {}): AdaptationProfile {
  const a = m.architecture;
  return {
    modelFingerprint: modelFingerprint(m),
    hiddenSize: a.hiddenSize,
    vocabSize: a.vocabSize,
    tokensRead: 10,
    cache: { kind: 'continuous', capacity: 4, tokens: Int32Array.from([1, 2]), newWordIndices: Int32Array.from([-1, -1]), states: floats(8, 3) },
    newWords: [],
    deltas: [
      { name: 'embedding', shape: [12, 5], rows: Int32Array.from([4]), values: floats(5, 5) },
      { name: 'layers.1.weight', shape: [16, 8], rows: null, values: floats(128, 6) },
      { name: 'layers.0.bias', shape: [16, 1], rows: null, values: floats(16, 7) },
      { name: 'head.bias', shape: [12, 1], rows: Int32Array.from([0, 11]), values: floats(2, 8) },
    ],
    state: floats(2 * 2 * 4, 9),
    ...changes,
  };
}

function mismatchOf(profile: AdaptationProfile, m: Model): ProfileError {
  try {
    checkProfileFor(profile, m);
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).code).toBe(ErrorCode.PROFILE_MODEL_MISMATCH);
    return error as ProfileError;
  }
  throw new Error('expected checkProfileFor to throw');
}

describe('modelFingerprint', () => {
  it('is 16 lowercase hex digits, the same for the same model, a rebuilt copy and a file round trip', () => {
    const fingerprint = modelFingerprint(model());
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(modelFingerprint(model())).toBe(fingerprint);
    expect(modelFingerprint(decodeModel(encodeModel(model())))).toBe(fingerprint);
  });

  it('is pinned: the digest of fixed weights must not drift between versions or runtimes (a change orphans every saved profile)', () => {
    const fill = (n: number, offset: number): Float32Array => Float32Array.from({ length: n }, (_, i) => (i + offset) / 16 - 1);
    const fixed = new Model({
      embedding: new F32Matrix(3, 2, fill(6, 0)),
      layers: [createCell('rnn-tanh', 2, 2, new F32Matrix(2, 4, fill(8, 6)), fill(2, 14))],
      head: { kind: 'softmax', weight: new F32Matrix(3, 2, fill(6, 16)), bias: fill(3, 22) },
      vocabulary: ['a', 'b', 'ü'],
    });
    expect(modelFingerprint(fixed)).toBe('ef4b38f7cd806881');
  });

  it('changes when any one weight, the vocabulary, or the architecture changes', () => {
    const base = model();
    const fingerprint = modelFingerprint(base);
    const seen = new Set([fingerprint]);
    for (const [layer, index] of [[0, 0], [0, 100], [1, 127]]) {
      const changed = modelFingerprint(withOneWeightChanged(base, layer, index, 1e-6));
      expect(seen.has(changed)).toBe(false);
      seen.add(changed);
    }
    expect(modelFingerprint(model(2))).not.toBe(fingerprint);
    expect(modelFingerprint(model(1, { vocabulary: vocabulary.map((w, i) => (i === 7 ? 'W7' : w)) }))).not.toBe(fingerprint);
    expect(modelFingerprint(createRandomModel(lm, { seed: 1 }))).not.toBe(fingerprint); // no vocabulary
    expect(modelFingerprint(decodeModel(encodeModel(base, { dtype: 'q8' })))).not.toBe(fingerprint); // weights as the model reads them
    const rnn = createRandomModel({ ...lm, cell: 'rnn-tanh' }, { seed: 1 });
    expect(modelFingerprint(rnn)).not.toBe(modelFingerprint(createRandomModel({ ...lm, cell: 'rnn-relu' }, { seed: 1 })));
  });

  it('hashes a q8 model as its dequantized rows, and a tied head once', () => {
    const q8 = decodeModel(encodeModel(model(), { dtype: 'q8' }));
    expect(modelFingerprint(q8)).toBe(modelFingerprint(decodeModel(encodeModel(q8))));
    const square: Architecture = { ...lm, inputSize: 4 };
    const untied = createRandomModel(square, { seed: 4 });
    const tied = new Model({ embedding: untied.embedding, layers: untied.layers, head: { ...untied.head!, weight: untied.embedding! } });
    expect(modelFingerprint(tied)).toMatch(/^[0-9a-f]{16}$/);
    expect(modelFingerprint(tied)).not.toBe(modelFingerprint(untied));
  });
});

describe('checkProfileFor', () => {
  it("accepts the model's own profile, before and after a file round trip", () => {
    const m = model();
    const profile = profileOf(m);
    checkProfileFor(profile, m);
    checkProfileFor(decodeProfile(encodeProfile(profile)), m);
    checkProfileFor(profile, m, modelFingerprint(m));
  });

  it("refuses another model's profile with PROFILE_MODEL_MISMATCH, showing both models", () => {
    const mine = model(1);
    const other = model(2);
    const error = mismatchOf(profileOf(mine), other);
    expect(error.message).toBe(
      `profile was made for model ${modelFingerprint(mine)} (hidden 4, vocabulary 12); this model is ${modelFingerprint(other)} (hidden 4, vocabulary 12): the weights or vocabulary differ`,
    );
    const wider = createRandomModel({ ...lm, hiddenSize: 6 }, { seed: 1 });
    expect(mismatchOf(profileOf(mine), wider).message).toMatch(/\(hidden 4, vocabulary 12\); this model is [0-9a-f]{16} \(hidden 6, vocabulary 12\): the weights or vocabulary, hidden size differ/);
    const bigger = createRandomModel({ ...lm, vocabSize: 13, outputSize: 13 }, { seed: 1 });
    expect(mismatchOf(profileOf(mine), bigger).message).toMatch(/vocabulary 13\): the weights or vocabulary, vocabulary size differ/);
  });

  it('refuses deltas for tensors the model lacks or of another shape, and a state of another size', () => {
    const m = model();
    const delta = (name: string, shape: [number, number]) => ({ name, shape, rows: null, values: new Float32Array(shape[0] * shape[1]) });
    expect(mismatchOf(profileOf(m, { deltas: [delta('layers.2.weight', [16, 8])] }), m).message).toMatch(
      /deltas\[0\] is for tensor layers\.2\.weight, which this model does not have \(it has embedding, layers\.0\.weight, layers\.0\.bias, layers\.1\.weight, layers\.1\.bias, head\.weight, head\.bias\)/,
    );
    expect(mismatchOf(profileOf(m, { deltas: [delta('layers.0.weight', [16, 8])] }), m).message).toMatch(/deltas\[0\] \(layers\.0\.weight\) has shape \[16, 8\]; this model's layers\.0\.weight is \[16, 9\]/);
    expect(mismatchOf(profileOf(m, { deltas: [delta('head.bias', [11, 1])] }), m).message).toMatch(/head\.bias\) has shape \[11, 1\]; this model's head\.bias is \[12, 1\]/);
    expect(mismatchOf(profileOf(m, { state: new Float32Array(8) }), m).message).toMatch(/state has 8 floats; a session of this model has 16 \(h and C, 2 layers × 4\)/);
    expect(m.session().stateSize).toBe(16);
    const dense = createRandomModel({ cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'none', outputSize: 0 });
    const denseProfile = profileOf(dense, { cache: null, deltas: [delta('head.weight', [2, 4])], state: new Float32Array(4) });
    expect(mismatchOf(denseProfile, dense).message).toMatch(/tensor head\.weight, which this model does not have \(it has layers\.0\.weight, layers\.0\.bias\)/);
    checkProfileFor({ ...denseProfile, deltas: [] }, dense);
  });

  it('tells a hard-sigmoid model from a sigmoid one with the same weights', () => {
    const arch = { cell: 'lstm', input: 'embedding', vocabSize: 12, inputSize: 5, hiddenSize: 4, numLayers: 2, head: 'softmax', outputSize: 12 } as const;
    const sigmoid = createRandomModel(arch, { seed: 4 });
    const hard = createRandomModel({ ...arch, layers: [{ gateActivation: 'hard-sigmoid' }, { gateActivation: 'sigmoid' }] }, { seed: 4 });
    expect(Array.from(hard.layers[0].weight.toFloat32())).toEqual(Array.from(sigmoid.layers[0].weight.toFloat32()));
    expect(modelFingerprint(hard)).not.toBe(modelFingerprint(sigmoid));
  });
});
