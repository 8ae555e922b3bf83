import type { RecurrentCell } from '../cells/cell.ts';
import { ErrorCode } from '../errors.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { cellOf, hiddenSizeOf, layerInputSizeOf, topHiddenSize, validateArchitecture, type Architecture, type HeadKind } from './architecture.ts';
import { ConfigError } from './errors.ts';
import { outputClassesFromMetadata } from './output-classes.ts';
import { checkOutputClassBounds, checkWeightBounds } from './weight-bounds.ts';
import type { OutputClassLayer } from '../math/class-softmax.ts';
import { createStream } from '../stream/create-stream.ts';
import type { StreamOptions } from '../stream/options.ts';
import type { PushStream } from '../stream/push-stream.ts';
import { Session } from './session.ts';

/** The linear output layer o_t = g(V·h_t + b). */
export interface Head {
  readonly kind: Exclude<HeadKind, 'none'>;
  /** V [outputSize × H_top], H_top the top layer's hiddenSize. */
  readonly weight: WeightMatrix;
  /** b [outputSize]. */
  readonly bias: Float32Array;
}

/** How text becomes token ids for a model that reads text. Plain data, stored in the model file. */
export interface TokenizerSettings {
  readonly kind: 'word' | 'char';
  /** The vocabulary entry that stands for every out-of-vocabulary token. */
  readonly unknownToken: string;
  readonly lowercase?: boolean;
  readonly [setting: string]: unknown;
}

/** Everything a Model is made of. Tensors are held, not copied. */
export interface ModelParts {
  /** Token models: the embedding [vocabSize × inputSize]. Omit (or null) for dense input. */
  readonly embedding?: WeightMatrix | null;
  /** The recurrent stack, bottom first. Each layer has its own kind and hiddenSize; layer l's inputSize is the hiddenSize of layer l − 1. */
  readonly layers: readonly RecurrentCell[];
  /** The output layer; omit (or null) to have steps return the top layer's h. */
  readonly head?: Head | null;
  /** Token models that read text: the string of every token id. */
  readonly vocabulary?: readonly string[] | null;
  readonly tokenizer?: TokenizerSettings | null;
  /** Free-form information (training data, settings, metrics, license); copied and frozen. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * An immutable recurrent model: input layer (embedding or dense) → stack of
 * cells → optional head. It holds the weights only; any number of Sessions
 * (one per stream) share it. Construction validates every shape once,
 * checks that every weight is finite (WEIGHT_NOT_FINITE) and refuses weights
 * so large that a step could overflow float32 (WEIGHT_OVERFLOW; see
 * checkWeightBounds). Cost: one pass over the f32 weights, the scales of
 * quantized ones.
 */
export class Model {
  readonly architecture: Architecture;
  readonly embedding: WeightMatrix | null;
  readonly layers: readonly RecurrentCell[];
  readonly head: Head | null;
  readonly vocabulary: readonly string[] | null;
  readonly tokenizer: TokenizerSettings | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * The factorized output of a model trained with frequency classes, read
   * from metadata.outputClasses; null for a plain softmax. With it, a
   * session's step returns log P(w|h) over all words (see
   * classLogProbabilitiesInPlace) instead of the raw word logits.
   */
  readonly outputClasses: OutputClassLayer | null;
  /**
   * Dense-input models: the largest |x_i| a step's input may have for the
   * load-time overflow bound to hold (no first-layer pre-activation past
   * PRE_ACTIVATION_LIMIT, 2^120); larger finite inputs can overflow float32
   * in the first layer. Infinity for token models, whose input is the
   * embedding. Computed once at construction.
   */
  readonly inputLimit: number;

  constructor(parts: ModelParts) {
    const layers = parts.layers;
    const embedding = parts.embedding ?? null;
    const head = parts.head ?? null;
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new ConfigError(ErrorCode.INVALID_CONFIG, 'model needs at least one recurrent layer');
    }
    const first = layers[0];
    this.architecture = validateArchitecture({
      cell: first.kind,
      input: embedding === null ? 'dense' : 'embedding',
      vocabSize: embedding === null ? 0 : embedding.rows,
      inputSize: embedding === null ? first.inputSize : embedding.cols,
      hiddenSize: first.hiddenSize,
      numLayers: layers.length,
      head: head === null ? 'none' : head.kind,
      outputSize: head === null ? 0 : head.weight.rows,
      layers: layers.map((layer) => ({ gateActivation: layer.gateActivation, cell: layer.kind, hiddenSize: layer.hiddenSize })),
    });
    checkParts(this.architecture, embedding, layers, head);
    const bounds = checkWeightBounds(this.architecture, embedding, layers, head);
    const vocabulary = parts.vocabulary ?? null;
    if (vocabulary !== null) checkVocabulary(this.architecture, vocabulary);
    this.embedding = embedding;
    this.layers = Object.freeze(layers.slice());
    this.head = head;
    this.vocabulary = vocabulary === null ? null : Object.freeze(vocabulary.slice());
    this.tokenizer = parts.tokenizer ? Object.freeze({ ...parts.tokenizer }) : null;
    this.metadata = Object.freeze({ ...(parts.metadata ?? {}) });
    this.outputClasses = outputClassesFromMetadata(this.metadata, this.architecture);
    if (this.outputClasses !== null) checkOutputClassBounds(this.outputClasses, bounds.topHidden);
    this.inputLimit = bounds.inputLimit;
    Object.freeze(this);
  }

  /** Number of weights (embedding, cells, head); a head tied to the embedding adds only its bias. Cost: O(layers). */
  get parameterCount(): number {
    let count = this.embedding === null ? 0 : this.embedding.rows * this.embedding.cols;
    for (const layer of this.layers) count += layer.weight.rows * layer.weight.cols + layer.bias.length;
    if (this.head !== null) count += (this.head.weight === this.embedding ? 0 : this.head.weight.rows * this.head.weight.cols) + this.head.bias.length;
    return count;
  }

  /** Bytes of weights this model keeps resident, counting a tensor shared by two places once. */
  get byteLength(): number {
    const seen = new Set<object>();
    let bytes = 0;
    const add = (tensor: WeightMatrix | Float32Array): void => {
      if (seen.has(tensor)) return;
      seen.add(tensor);
      bytes += tensor.byteLength;
    };
    if (this.embedding !== null) add(this.embedding);
    for (const layer of this.layers) {
      add(layer.weight);
      add(layer.bias);
    }
    if (this.head !== null) {
      add(this.head.weight);
      add(this.head.bias);
    }
    return bytes;
  }

  /**
   * A new Session: one stream's state (zeros) and scratch buffers, allocated
   * now, sharing this model's weights. Cost: about 4·(2·Σ_l H_l + max_l(I_l + H_l) +
   * max_l scratch_l + outputSize) bytes (see Session.byteLength).
   */
  session(): Session {
    return new Session(this);
  }

  /**
   * A push-based async iterator over a new session of this model, which the
   * stream owns and drops when it closes (see createStream).
   * Cost: one session plus a queue of highWaterMark slots.
   */
  stream(options?: StreamOptions): PushStream {
    return createStream(this, options);
  }
}

function checkParts(
  a: Architecture,
  embedding: WeightMatrix | null,
  layers: readonly RecurrentCell[],
  head: Head | null,
): void {
  layers.forEach((layer, l) => {
    const expectedInput = layerInputSizeOf(a, l);
    if (layer.kind !== cellOf(a, l) || layer.hiddenSize !== hiddenSizeOf(a, l)) {
      throw new ConfigError(ErrorCode.INVALID_CONFIG, `layer ${l} is ${layer.kind} with hiddenSize ${layer.hiddenSize}, but the architecture says ${cellOf(a, l)} with ${hiddenSizeOf(a, l)}`);
    }
    if (layer.inputSize !== expectedInput) {
      throw new ConfigError(
        ErrorCode.INVALID_CONFIG,
        `layer ${l} has inputSize ${layer.inputSize}, expected ${expectedInput} (${l === 0 ? 'the input width' : 'the hiddenSize of the layer below'})`,
      );
    }
  });
  if (head !== null) {
    if (head.kind !== 'softmax' && head.kind !== 'linear') {
      throw new ConfigError(ErrorCode.INVALID_CONFIG, `head.kind is ${JSON.stringify(head.kind)}; expected softmax or linear`);
    }
    if (head.weight.cols !== topHiddenSize(a)) {
      throw new ConfigError(ErrorCode.TENSOR_SHAPE_MISMATCH, `head weight has ${head.weight.cols} columns, expected the top layer's hiddenSize ${topHiddenSize(a)}`);
    }
    if (head.bias.length !== head.weight.rows) {
      throw new ConfigError(ErrorCode.TENSOR_SHAPE_MISMATCH, `head bias has ${head.bias.length} elements, expected ${head.weight.rows}`);
    }
  }
}

function checkVocabulary(a: Architecture, vocabulary: readonly string[]): void {
  const expected = a.input === 'embedding' ? a.vocabSize : a.head === 'softmax' ? a.outputSize : -1;
  if (expected === -1) {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, 'a vocabulary needs an embedding input or a softmax head');
  }
  if (vocabulary.length !== expected) {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, `vocabulary has ${vocabulary.length} entries, expected ${expected}`);
  }
  vocabulary.forEach((token, id) => {
    if (typeof token !== 'string') throw new ConfigError(ErrorCode.INVALID_CONFIG, `vocabulary entry ${id} is not a string`);
  });
}
