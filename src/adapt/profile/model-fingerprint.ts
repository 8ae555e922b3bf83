import { TENSOR_NAMES } from '../../format/model-file.ts';
import type { WeightMatrix } from '../../math/matrix.ts';
import { cellOf, gateActivationOf, hiddenSizeOf, isMixedStack } from '../../model/architecture.ts';
import type { Model } from '../../model/model.ts';
import { FingerprintHash } from './fingerprint-hash.ts';

// Bumped if what is hashed ever changes, so old and new fingerprints never match by accident.
const TAG = 'lstm-stream model fingerprint v1';

/**
 * A stable identifier of a model's weights and vocabulary: 16 lowercase hex
 * digits (a 64-bit digest, see fingerprint-hash.ts) of the architecture (each
 * layer's kind, size and gate activation in a mixed stack), the
 * vocabulary strings, every weight as the model reads it (each matrix row
 * through WeightMatrix.rowInto, so a q8 or q4 model is hashed as its
 * dequantized values and differs from its f32 original, which computes
 * differently), every bias, and a factorized output layer when there is one.
 * A head tied to the embedding is hashed once, as a tie. The same weights
 * give the same fingerprint on every runtime and host; changing any one
 * weight changes it. Tokenizer settings and free metadata are not part of it.
 * Cost: one pass over the weights (a few integer operations per weight, a
 * row at a time); allocates one row of scratch.
 */
export function modelFingerprint(model: Model): string {
  const hash = new FingerprintHash();
  const a = model.architecture;
  hash.addString(TAG);
  hash.addString(a.cell);
  hash.addString(a.input);
  hash.addString(a.head);
  for (const size of [a.vocabSize, a.inputSize, a.hiddenSize, a.numLayers, a.outputSize]) hash.addNumber(size);
  // Per-layer settings (the hard-sigmoid gate) change what the weights compute; hashed only when
  // present, so the fingerprints of models without them stay as they were.
  if (a.layers !== undefined) {
    hash.addString('layers');
    for (let l = 0; l < a.numLayers; l++) hash.addString(gateActivationOf(a, l));
    // A mixed stack's layers each have their own kind and size (two GRU variants
    // have the same shapes but compute differently); hashed only for mixed stacks,
    // so the fingerprints of the others stay as they were.
    if (isMixedStack(a)) {
      hash.addString('layer kinds and sizes');
      for (let l = 0; l < a.numLayers; l++) {
        hash.addString(cellOf(a, l));
        hash.addNumber(hiddenSizeOf(a, l));
      }
    }
  }

  const vocabulary = model.vocabulary;
  hash.addWord(vocabulary === null ? 0 : 1);
  if (vocabulary !== null) {
    hash.addNumber(vocabulary.length);
    for (const token of vocabulary) hash.addString(token);
  }

  let widest = model.embedding === null ? 0 : model.embedding.cols;
  for (const layer of model.layers) widest = Math.max(widest, layer.weight.cols);
  if (model.head !== null) widest = Math.max(widest, model.head.weight.cols);
  const row = new Float32Array(widest); // [widest]: one row at a time
  const rowBits = new Uint32Array(row.buffer);
  const addMatrix = (name: string, matrix: WeightMatrix): void => {
    hash.addString(name);
    hash.addNumber(matrix.rows);
    hash.addNumber(matrix.cols);
    const bits = rowBits.subarray(0, matrix.cols);
    for (let r = 0; r < matrix.rows; r++) {
      matrix.rowInto(row, 0, r);
      hash.addWords(bits);
    }
  };
  const addVector = (name: string, values: Float32Array): void => {
    hash.addString(name);
    hash.addNumber(values.length);
    hash.addWords(new Uint32Array(values.buffer, values.byteOffset, values.length));
  };

  if (model.embedding !== null) addMatrix(TENSOR_NAMES.embedding, model.embedding);
  model.layers.forEach((layer, l) => {
    addMatrix(TENSOR_NAMES.layerWeight(l), layer.weight);
    addVector(TENSOR_NAMES.layerBias(l), layer.bias);
  });
  if (model.head !== null) {
    if (model.head.weight === model.embedding) {
      hash.addString(`${TENSOR_NAMES.headWeight} tied to ${TENSOR_NAMES.embedding}`);
    } else {
      addMatrix(TENSOR_NAMES.headWeight, model.head.weight);
    }
    addVector(TENSOR_NAMES.headBias, model.head.bias);
  }

  const classes = model.outputClasses;
  hash.addWord(classes === null ? 0 : 1);
  if (classes !== null) {
    hash.addNumber(classes.classCount);
    hash.addNumber(classes.classOf.length);
    hash.addWords(classes.classOf);
    addVector('outputClasses.weight', classes.weight);
    addVector('outputClasses.bias', classes.bias);
  }
  return hash.digest();
}
