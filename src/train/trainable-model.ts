import { F32Matrix } from '../math/f32-matrix.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { SeededRandom } from '../math/random.ts';
import { topHiddenSize } from '../model/architecture.ts';
import { createCell } from '../model/build-layer.ts';
import { Model, type Head } from '../model/model.ts';
import type { OutputClasses } from './output-classes.ts';

/** One trainable tensor: its values and the gradient accumulated for them (same length). */
export interface ParameterSlot {
  /** PyTorch-style name, e.g. `rnn.weight_l0` (fused), `out.weight`, `classes.weight`. */
  readonly name: string;
  readonly value: Float32Array;
  readonly gradient: Float32Array;
}

/** The class layer of a factorized output: Z [C × H], z [C], and their gradients. */
export interface ClassLayer {
  readonly classes: OutputClasses;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly dWeight: Float32Array;
  readonly dBias: Float32Array;
}

/**
 * How the arrays of a trainable model are allocated, in a fixed order for a
 * given model and options: `value` for weights, `gradient` for their
 * gradients (worker threads share the values and own their gradients).
 */
export type ArrayAllocator = (length: number, role: 'value' | 'gradient') => Float32Array;

const plainAllocator: ArrayAllocator = (length) => new Float32Array(length);

/**
 * The trainer's own copy of a model: `model` holds the weights the trainer
 * mutates in place (F32Matrix data), `gradients` is a Model of the same shape
 * holding ∂loss/∂parameter, and `parameters` lists each distinct tensor once
 * (tied tensors share one slot). Cold path: allocates two copies of every weight.
 */
export class TrainableModel {
  readonly model: Model;
  readonly gradients: Model;
  readonly classLayer: ClassLayer | null;
  readonly parameters: readonly ParameterSlot[];
  /** True when the head's weight is the embedding matrix itself. */
  readonly tied: boolean;

  /**
   * Copies `source` (any dtype; read through toFloat32) into fresh f32 arrays
   * made by `allocate` (e.g. views on a SharedArrayBuffer for worker threads).
   * `tie` makes the head reuse the embedding matrix (needs vocabSize =
   * outputSize and inputSize = the top layer's hiddenSize); a source that already shares the
   * two stays tied. `classLayer` adds a factorized output's class layer,
   * copied from `classWeights` or zero.
   */
  constructor(
    source: Model,
    options: {
      tie?: boolean;
      classes?: OutputClasses | null;
      classWeights?: { weight: ArrayLike<number>; bias: ArrayLike<number> } | null;
      allocate?: ArrayAllocator;
    } = {},
  ) {
    const allocate = options.allocate ?? plainAllocator;
    const copy = (matrix: WeightMatrix): F32Matrix => {
      const data = allocate(matrix.rows * matrix.cols, 'value');
      data.set(matrix.toFloat32());
      return new F32Matrix(matrix.rows, matrix.cols, data);
    };
    const zeros = (matrix: WeightMatrix): F32Matrix => new F32Matrix(matrix.rows, matrix.cols, allocate(matrix.rows * matrix.cols, 'gradient'));
    const copyVector = (vector: Float32Array): Float32Array => {
      const data = allocate(vector.length, 'value');
      data.set(vector);
      return data;
    };
    const a = source.architecture;
    const tied = options.tie === true || (source.embedding !== null && source.head !== null && source.head.weight === source.embedding);
    const topHidden = topHiddenSize(a);
    if (tied && !(a.input === 'embedding' && a.head !== 'none' && a.vocabSize === a.outputSize && a.inputSize === topHidden)) {
      throw new RangeError(
        `weight tying needs vocabSize = outputSize and inputSize = the top layer's hiddenSize; the model has ${a.vocabSize}, ${a.outputSize}, ${a.inputSize}, ${topHidden}`,
      );
    }
    const embedding = source.embedding === null ? null : copy(source.embedding);
    const dEmbedding = source.embedding === null ? null : zeros(source.embedding);
    const layers = source.layers.map((layer) =>
      createCell(layer.kind, layer.inputSize, layer.hiddenSize, copy(layer.weight), copyVector(layer.bias), { gateActivation: layer.gateActivation }),
    );
    const dLayers = source.layers.map((layer) =>
      createCell(layer.kind, layer.inputSize, layer.hiddenSize, zeros(layer.weight), allocate(layer.bias.length, 'gradient'), { gateActivation: layer.gateActivation }),
    );
    let head: Head | null = null;
    let dHead: Head | null = null;
    if (source.head !== null) {
      head = { kind: source.head.kind, weight: tied ? (embedding as F32Matrix) : copy(source.head.weight), bias: copyVector(source.head.bias) };
      dHead = { kind: source.head.kind, weight: tied ? (dEmbedding as F32Matrix) : zeros(source.head.weight), bias: allocate(source.head.bias.length, 'gradient') };
    }
    const extras = { vocabulary: source.vocabulary, tokenizer: source.tokenizer, metadata: source.metadata };
    this.model = new Model({ embedding, layers, head, ...extras });
    this.gradients = new Model({ embedding: dEmbedding, layers: dLayers, head: dHead });
    this.tied = tied;

    const slots: ParameterSlot[] = [];
    const data = (matrix: WeightMatrix): Float32Array => (matrix as F32Matrix).data;
    if (embedding !== null && dEmbedding !== null) slots.push({ name: 'emb.weight', value: embedding.data, gradient: dEmbedding.data });
    layers.forEach((layer, l) => {
      slots.push({ name: `rnn.weight_l${l}`, value: data(layer.weight), gradient: data(dLayers[l].weight) });
      slots.push({ name: `rnn.bias_l${l}`, value: layer.bias, gradient: dLayers[l].bias });
    });
    if (head !== null && dHead !== null) {
      if (!tied) slots.push({ name: 'out.weight', value: data(head.weight), gradient: data(dHead.weight) });
      slots.push({ name: 'out.bias', value: head.bias, gradient: dHead.bias });
    }
    const classes = options.classes ?? null;
    if (classes !== null) {
      if (a.head !== 'softmax' || classes.vocabSize !== a.outputSize) {
        throw new RangeError(`output classes cover ${classes.vocabSize} words, but the model's softmax head has ${a.outputSize} outputs`);
      }
      const size = classes.classCount * topHidden;
      const weight = allocate(size, 'value');
      const bias = allocate(classes.classCount, 'value');
      if (options.classWeights) {
        weight.set(options.classWeights.weight);
        bias.set(options.classWeights.bias);
      } else {
        // Same ±1/√H start as the head, from a fixed seed so runs stay deterministic.
        const bound = 1 / Math.sqrt(topHidden);
        const random = new SeededRandom(0x5eed);
        for (let i = 0; i < size; i++) weight[i] = random.uniform(-bound, bound);
      }
      this.classLayer = { classes, weight, bias, dWeight: allocate(size, 'gradient'), dBias: allocate(classes.classCount, 'gradient') };
      slots.push({ name: 'classes.weight', value: weight, gradient: this.classLayer.dWeight });
      slots.push({ name: 'classes.bias', value: bias, gradient: this.classLayer.dBias });
    } else {
      this.classLayer = null;
    }
    this.parameters = Object.freeze(slots);
  }

  /** Sets every gradient to zero. Cost: one pass over the gradients. */
  zeroGradients(): void {
    for (const slot of this.parameters) slot.gradient.fill(0);
  }

  /** Number of trainable floats (tied tensors counted once). */
  get parameterCount(): number {
    let count = 0;
    for (const slot of this.parameters) count += slot.value.length;
    return count;
  }
}
