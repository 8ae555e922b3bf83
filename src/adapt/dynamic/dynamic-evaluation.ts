import { ErrorCode } from '../../errors.ts';
import type { F32Matrix } from '../../math/f32-matrix.ts';
import { cellStateOffsetOf, hiddenOffsetOf, hiddenSizeOf, hiddenStateSize, stateSizeOf } from '../../model/architecture.ts';
import type { Model } from '../../model/model.ts';
import type { Session } from '../../model/session.ts';
import { stepKernelsFor } from '../../model/step-kernels.ts';
import { kernelBackend } from '../../math/wasm/kernel-backend.ts';
import { MatVecKernel } from '../../math/wasm/matvec-kernel.ts';
import { NetworkGraph } from '../../train/graph/network-graph.ts';
import { clipScale, gradientNorm } from '../../train/optim/optimizer.ts';
import { TrainableModel } from '../../train/trainable-model.ts';
import { AdaptError } from '../adapt-error.ts';
import { modelAdaptationDefaults } from '../model-defaults.ts';
import type { ProfileDelta } from '../profile/profile-contents.ts';
import type { WeightAdaptation } from '../weight-adaptation.ts';
import { resolveDynamicOptions, type DynamicEvaluationOptions, type ResolvedDynamicOptions } from './dynamic-options.ts';

/** One adapted tensor: the live values the session steps with, their gradient, and the shipped values they decay to. */
interface AdaptedTensor {
  readonly name: string;
  /** [rows, columns]; a bias is [length, 1]. */
  readonly shape: readonly [number, number];
  readonly value: Float32Array;
  readonly gradient: Float32Array;
  readonly original: Float32Array;
}

/**
 * Dynamic evaluation (Krause, Kahembwe, Murray and Renals 2018): after each
 * segment of `segment` tokens has been read (and so predicted), one gradient
 * step on that segment's cross-entropy, from the state the segment started
 * in, with a decay back towards the shipped weights:
 * θ ← θ − η·∇L(segment) + decay·(θ₀ − θ). Gradients are exact (the trainer's
 * BPTT over the segment, batch 1, no dropout). Only the chosen parameters
 * change: 'all', 'recurrent' (the LSTM/RNN weights and biases and the output
 * bias) or 'biases' (the recurrent biases and the output bias).
 * The weights it changes are its own f32 copy (`model`), so the shared model
 * and every other session are untouched.
 * Memory: about 8 bytes per weight of the model (the copy and its gradient)
 * plus 4 per adapted weight (the originals), plus the graph's buffers for one
 * segment. Cost per token, amortized: about 3 times the step's
 * multiply-adds (forward again and backward over the segment).
 */
export class DynamicEvaluation implements WeightAdaptation {
  readonly baseModel: Model;
  readonly model: Model;
  readonly options: ResolvedDynamicOptions;
  /** Updates taken since creation or the last forget. */
  updates = 0;
  private readonly trainable: TrainableModel;
  /** [segment + 1]: the segment's first input, then each token read since. */
  private readonly segmentTokens: Int32Array;
  private segmentLength = 0;
  /** [stateSize] the state before the segment's first input. */
  private readonly startState: Float32Array;
  private readonly inputs: Int32Array; // [segment]
  private readonly targets: Int32Array; // [segment]
  private graph: NetworkGraph | null = null;
  private tensors: AdaptedTensor[] | null = null;

  /** Copies the model's weights to f32 (see the class doc for memory). Throws AdaptError for a bad option or a model that is not a language model. */
  constructor(baseModel: Model, options: DynamicEvaluationOptions = {}) {
    const a = baseModel.architecture;
    if (a.input !== 'embedding' || a.head !== 'softmax') {
      throw new AdaptError(ErrorCode.NOT_A_LANGUAGE_MODEL, 'dynamic evaluation needs a model with token input and a softmax head');
    }
    if (baseModel.outputClasses !== null) {
      throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, 'dynamic evaluation of a model with frequency classes is not supported; use a full-softmax model');
    }
    this.baseModel = baseModel;
    this.options = resolveDynamicOptions(options, modelAdaptationDefaults(baseModel, 'dynamic', ['segment', 'learningRate', 'decay', 'parameters', 'clip']));
    this.trainable = new TrainableModel(baseModel);
    this.model = this.trainable.model;
    const T = this.options.segment;
    this.segmentTokens = new Int32Array(T + 1);
    this.inputs = new Int32Array(T);
    this.targets = new Int32Array(T);
    this.startState = new Float32Array(stateSizeOf(a));
    // Make the WebAssembly kernels now: they take over the head's array, and
    // the graph and the update must work on the arrays the session reads.
    if (kernelBackend() === 'wasm') stepKernelsFor(this.model);
  }

  get byteLength(): number {
    let bytes = 0;
    for (const slot of this.trainable.parameters) bytes += slot.value.byteLength + slot.gradient.byteLength;
    for (const tensor of this.tensors ?? []) bytes += tensor.original.byteLength;
    return bytes;
  }

  observe(token: number, session: Session): void {
    const T = this.options.segment;
    if (this.segmentLength === 0) {
      session.snapshotInto(this.startState);
      this.segmentTokens[0] = token;
      this.segmentLength = 1;
      return;
    }
    this.segmentTokens[this.segmentLength++] = token;
    if (this.segmentLength <= T) return;
    // The segment's T targets have all been predicted: learn from them, then
    // start the next segment at this token, from the state before it.
    this.update();
    session.snapshotInto(this.startState);
    this.segmentTokens[0] = token;
    this.segmentLength = 1;
  }

  forget(): void {
    this.segmentLength = 0;
    this.updates = 0;
    for (const tensor of this.adaptedTensors()) tensor.value.set(tensor.original);
    this.refreshKernels();
  }

  deltas(): ProfileDelta[] {
    return this.adaptedTensors().map((tensor) => {
      const values = new Float32Array(tensor.value.length);
      for (let i = 0; i < values.length; i++) values[i] = tensor.value[i] - tensor.original[i];
      return { name: tensor.name, shape: tensor.shape, rows: null, values };
    });
  }

  applyDeltas(deltas: readonly ProfileDelta[]): void {
    const tensors = this.adaptedTensors();
    for (const delta of deltas) {
      const tensor = tensors.find((t) => t.name === delta.name);
      const columns = tensor === undefined ? 0 : tensor.shape[1];
      const expected = tensor === undefined ? -1 : delta.rows === null ? tensor.value.length : delta.rows.length * columns;
      if (tensor === undefined || delta.values.length !== expected || (delta.rows !== null && delta.rows.some((row) => row < 0 || row >= tensor.shape[0]))) {
        throw new AdaptError(
          ErrorCode.ADAPT_OPTION_INVALID,
          `delta ${delta.name} (${delta.values.length} values) fits no tensor this adaptation changes (parameters '${this.options.parameters}': ${tensors.map((t) => `${t.name} [${t.shape.join('×')}]`).join(', ')})`,
        );
      }
      const { value, original } = tensor;
      if (delta.rows === null) {
        for (let i = 0; i < value.length; i++) value[i] = original[i] + delta.values[i];
      } else {
        delta.rows.forEach((row, r) => {
          for (let j = 0; j < columns; j++) value[row * columns + j] = original[row * columns + j] + delta.values[r * columns + j];
        });
      }
    }
    this.refreshKernels();
  }

  private update(): void {
    const T = this.options.segment;
    const graph = this.graphFor();
    const tokens = this.segmentTokens;
    for (let t = 0; t < T; t++) {
      this.inputs[t] = tokens[t];
      this.targets[t] = tokens[t + 1];
    }
    const a = this.baseModel.architecture;
    // The snapshot's layout (Session.snapshot): every layer's h, then the LSTM layers' C, each of its layer's size.
    const cStart = hiddenStateSize(a);
    graph.layers.forEach((layer, l) => {
      const H = hiddenSizeOf(a, l);
      const at = hiddenOffsetOf(a, l);
      layer.h.set(this.startState.subarray(at, at + H));
      if (layer.c.length > 0) {
        const cAt = cStart + cellStateOffsetOf(a, l);
        layer.c.set(this.startState.subarray(cAt, cAt + H));
      }
    });
    this.trainable.zeroGradients();
    graph.forward(this.inputs, this.targets, T, null);
    graph.backward();
    const { learningRate, decay, clip } = this.options;
    const tensors = this.adaptedTensors();
    const scale = clip > 0 ? learningRate * clipScale(gradientNorm(tensors), clip) : learningRate;
    for (const tensor of tensors) {
      const { value, gradient, original } = tensor;
      for (let i = 0; i < value.length; i++) value[i] += decay * (original[i] - value[i]) - scale * gradient[i];
    }
    this.refreshKernels();
    this.updates++;
  }

  /**
   * The graph over the private model, made on the first update: by then the
   * session has attached the WebAssembly kernels, so the arrays it reads are
   * the ones the session steps with.
   */
  private graphFor(): NetworkGraph {
    if (this.graph === null) {
      const fixedHeadWeight = this.options.parameters !== 'all';
      this.graph = new NetworkGraph(this.trainable, { batchSize: 1, window: this.options.segment, kernel: this.options.kernel, fixedHeadWeight });
    }
    return this.graph;
  }

  private adaptedTensors(): AdaptedTensor[] {
    if (this.tensors !== null) return this.tensors;
    const model = this.model;
    const gradients = this.trainable.gradients;
    const chosen: Omit<AdaptedTensor, 'original'>[] = [];
    const which = this.options.parameters;
    const matrix = (name: string, weight: unknown, gradient: unknown): Omit<AdaptedTensor, 'original'> => {
      const m = weight as F32Matrix;
      return { name, shape: [m.rows, m.cols], value: m.data, gradient: (gradient as F32Matrix).data };
    };
    const vector = (name: string, value: Float32Array, gradient: Float32Array): Omit<AdaptedTensor, 'original'> => ({ name, shape: [value.length, 1], value, gradient });
    if (which === 'all' && model.embedding !== null) chosen.push(matrix('embedding', model.embedding, gradients.embedding));
    model.layers.forEach((layer, l) => {
      if (which !== 'biases') chosen.push(matrix(`layers.${l}.weight`, layer.weight, gradients.layers[l].weight));
      chosen.push(vector(`layers.${l}.bias`, layer.bias, gradients.layers[l].bias));
    });
    const head = model.head!;
    if (which === 'all' && head.weight !== model.embedding) chosen.push(matrix('head.weight', head.weight, gradients.head!.weight));
    chosen.push(vector('head.bias', head.bias, gradients.head!.bias));
    this.tensors = chosen.map((tensor) => ({ ...tensor, original: tensor.value.slice() }));
    return this.tensors;
  }

  /** The WebAssembly layer kernels hold packed copies of the weights: repack them after a change (the head reads the weights in place). */
  private refreshKernels(): void {
    if (kernelBackend() !== 'wasm') return;
    const kernels = stepKernelsFor(this.model);
    this.model.layers.forEach((layer, l) => kernels.layers[l]?.refreshF32((layer.weight as F32Matrix).data, layer.bias));
    if (kernels.head instanceof MatVecKernel) kernels.head.setBias(this.model.head!.bias);
  }
}

/** Dynamic evaluation of `model` for one AdaptiveSession (pass it as `dynamic`). See DynamicEvaluation for cost. */
export function dynamicEvaluation(model: Model, options: DynamicEvaluationOptions = {}): DynamicEvaluation {
  return new DynamicEvaluation(model, options);
}
