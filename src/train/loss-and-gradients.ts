import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';
import { checkSequence } from './data/check-data.ts';
import { TrainingError } from './errors.ts';
import { NetworkGraph } from './graph/network-graph.ts';
import type { OutputClasses } from './output-classes.ts';
import { TrainableModel } from './trainable-model.ts';

/** Options of {@link lossAndGradients}. */
export interface LossAndGradientsOptions {
  /** Truncated BPTT window in steps; omitted: the whole sequence is one window (full BPTT). */
  readonly window?: number;
  /** Use a factorized (class-based) softmax with these classes instead of the full softmax. */
  readonly classes?: OutputClasses | null;
  /** Matrix-product kernel: 'typescript' (default here: f64 sums, the reference) or 'wasm' (SIMD, f32 sums). */
  readonly kernel?: 'wasm' | 'typescript';
  /** The class layer's weights [C × H] and bias [C] (with `classes`); omitted: the trainer's default start. */
  readonly classWeights?: { weight: ArrayLike<number>; bias: ArrayLike<number> } | null;
}

/** What {@link lossAndGradients} returns. */
export interface LossAndGradients {
  /** Σ over windows of each window's mean loss per step. */
  readonly loss: number;
  /** A Model of the same shape holding ∂loss/∂parameter (the fused bias's gradient is PyTorch's bias_ih gradient). */
  readonly gradients: Model;
  /** ∂loss/∂(class layer) when `classes` was given. */
  readonly classGradients: { weight: Float32Array; bias: Float32Array } | null;
}

/**
 * Loss and exact gradients of one stream (batch 1) by backpropagation through
 * time from a zero state. inputs: token ids (embedding models) or flattened
 * [T × inputSize] values; targets: token ids (softmax head) or flattened
 * [T × outputSize] values (linear head). With `window`, the sequence is cut
 * into windows; the state carries over, the gradient does not (truncated BPTT).
 * Throws TrainingError for bad data. Cold path: copies the model and
 * allocates the window's activations.
 */
export function lossAndGradients(
  model: Model,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  options: LossAndGradientsOptions = {},
): LossAndGradients {
  const a = model.architecture;
  const steps = checkSequence(a, inputs, targets);
  const window = options.window ?? steps;
  if (!(Number.isInteger(window) && window > 0)) {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `window is ${window}; expected a positive integer`);
  }
  const trainable = new TrainableModel(model, { classes: options.classes ?? null, classWeights: options.classWeights ?? null });
  const graph = new NetworkGraph(trainable, { batchSize: 1, window: Math.min(window, steps), kernel: options.kernel ?? 'typescript' });
  const inputWidth = a.input === 'embedding' ? 1 : a.inputSize;
  const targetWidth = a.head === 'softmax' ? 1 : a.outputSize;
  const inputArray = a.input === 'embedding' ? Int32Array.from(inputs) : Float32Array.from(inputs);
  const targetArray = a.head === 'softmax' ? Int32Array.from(targets) : Float32Array.from(targets);
  let loss = 0;
  for (let start = 0; start < steps; start += window) {
    const length = Math.min(window, steps - start);
    loss += graph.forward(
      inputArray.subarray(start * inputWidth, (start + length) * inputWidth),
      targetArray.subarray(start * targetWidth, (start + length) * targetWidth),
      length,
      null,
    );
    graph.backward();
  }
  const layer = trainable.classLayer;
  return { loss, gradients: trainable.gradients, classGradients: layer === null ? null : { weight: layer.dWeight, bias: layer.dBias } };
}
