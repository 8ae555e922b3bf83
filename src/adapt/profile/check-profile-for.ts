import { ErrorCode } from '../../errors.ts';
import { TENSOR_NAMES } from '../../format/model-file.ts';
import { describeLayers, isMixedStack, stateSizeOf, topHiddenSize } from '../../model/architecture.ts';
import type { Model } from '../../model/model.ts';
import { modelFingerprint } from './model-fingerprint.ts';
import type { AdaptationProfile } from './profile-contents.ts';
import { ProfileError } from './profile-error.ts';

/**
 * Throws ProfileError (PROFILE_MODEL_MISMATCH) unless the profile belongs to
 * this model: the same fingerprint, hiddenSize (the top layer's: the width
 * of the cache's states) and vocabSize (the token
 * space: the embedding's rows, or a dense-input model's softmax outputs, or
 * 0), every delta naming a tensor the model has (`embedding`,
 * `layers.{l}.weight`, `layers.{l}.bias`, `head.weight`, `head.bias`) with
 * that tensor's shape ([length, 1] for a bias), and a state of
 * Session.stateSize floats. The message shows both models, e.g. "profile was
 * made for model 3fa9… (hidden 256, vocabulary 17906); this model is 7c1e…
 * (hidden 128, vocabulary 10000)". It expects a profile decodeProfile
 * returned (or one encodeProfile accepts); it does not re-check its values.
 * Cost: one modelFingerprint pass over the weights, unless the caller passes
 * the fingerprint it already computed for this model.
 */
export function checkProfileFor(profile: AdaptationProfile, model: Model, fingerprint: string = modelFingerprint(model)): void {
  const a = model.architecture;
  const vocabSize = a.input === 'embedding' ? a.vocabSize : a.head === 'softmax' ? a.outputSize : 0;
  const hiddenSize = topHiddenSize(a);
  if (profile.modelFingerprint !== fingerprint || profile.hiddenSize !== hiddenSize || profile.vocabSize !== vocabSize) {
    const differs = [
      profile.modelFingerprint !== fingerprint ? 'weights or vocabulary' : null,
      profile.hiddenSize !== hiddenSize ? 'hidden size' : null,
      profile.vocabSize !== vocabSize ? 'vocabulary size' : null,
    ].filter((what) => what !== null);
    throw mismatch(
      `profile was made for model ${short(profile.modelFingerprint)} (hidden ${profile.hiddenSize}, vocabulary ${profile.vocabSize}); ` +
        `this model is ${short(fingerprint)} (hidden ${hiddenSize}, vocabulary ${vocabSize}): the ${differs.join(', ')} differ`,
    );
  }
  const shapes = tensorShapes(model);
  profile.deltas.forEach((delta, i) => {
    const shape = shapes.get(delta.name);
    if (shape === undefined) {
      throw mismatch(`deltas[${i}] is for tensor ${delta.name}, which this model does not have (it has ${[...shapes.keys()].join(', ')})`);
    }
    if (delta.shape[0] !== shape[0] || delta.shape[1] !== shape[1]) {
      throw mismatch(`deltas[${i}] (${delta.name}) has shape [${delta.shape.join(', ')}]; this model's ${delta.name} is [${shape.join(', ')}]`);
    }
  });
  if (profile.state !== null) {
    const stateSize = stateSizeOf(a);
    if (profile.state.length !== stateSize) {
      const cells = isMixedStack(a) ? ` (h, and C for LSTM layers, of ${describeLayers(a)})` : ` (h${a.cell === 'lstm' ? ' and C' : ''}, ${a.numLayers} layers × ${a.hiddenSize})`;
      throw mismatch(`state has ${profile.state.length} floats; a session of this model has ${stateSize}${cells}`);
    }
  }
}

/** [rows, columns] of every tensor a delta may name, biases as [length, 1]. */
function tensorShapes(model: Model): Map<string, readonly [number, number]> {
  const shapes = new Map<string, readonly [number, number]>();
  if (model.embedding !== null) shapes.set(TENSOR_NAMES.embedding, [model.embedding.rows, model.embedding.cols]);
  model.layers.forEach((layer, l) => {
    shapes.set(TENSOR_NAMES.layerWeight(l), [layer.weight.rows, layer.weight.cols]);
    shapes.set(TENSOR_NAMES.layerBias(l), [layer.bias.length, 1]);
  });
  if (model.head !== null) {
    shapes.set(TENSOR_NAMES.headWeight, [model.head.weight.rows, model.head.weight.cols]);
    shapes.set(TENSOR_NAMES.headBias, [model.head.bias.length, 1]);
  }
  return shapes;
}

/** A fingerprint cut for a message: enough digits to tell two models apart at a glance. */
function short(fingerprint: string): string {
  return fingerprint.length > 16 ? `${fingerprint.slice(0, 16)}…` : fingerprint;
}

function mismatch(message: string): ProfileError {
  return new ProfileError(ErrorCode.PROFILE_MODEL_MISMATCH, message);
}
