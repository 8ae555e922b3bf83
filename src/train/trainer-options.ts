import { ErrorCode } from '../errors.ts';
import { TrainingError } from './errors.ts';

/** Settings of a training run. Every field has a default; see {@link resolveTrainOptions}. */
export interface TrainOptions {
  /** B, parallel streams per minibatch. Default 20. */
  readonly batchSize?: number;
  /** T, truncated-BPTT window in steps. Default 35. */
  readonly window?: number;
  /** Passes over the training data. Default 10. */
  readonly epochs?: number;
  /** 'adam' (default) or 'sgd'. */
  readonly optimizer?: 'sgd' | 'adam';
  /** Initial learning rate. Default 0.002 for Adam, 1 for SGD. */
  readonly learningRate?: number;
  /** SGD momentum. Default 0. */
  readonly momentum?: number;
  /** Weight decay (SGD: L2 in the gradient; Adam: decoupled, AdamW). Default 0. */
  readonly weightDecay?: number;
  /** Global gradient-norm clip; 0 turns it off. Default 5. */
  readonly clipNorm?: number;
  /** Dropout between layers and before the head. Default 0. */
  readonly dropout?: number;
  /** Dropout on the first layer's input (the embedding output, as in the classic word-LM recipe). Default 0. */
  readonly inputDropout?: number;
  /**
   * Variational dropout on the recurrent connections of LSTM and Elman layers:
   * h_{t−1} times one mask per stream and window where it enters the
   * recurrent product. Not for GRU layers. Default 0.
   */
  readonly recurrentDropout?: number;
  /**
   * Embedding dropout: each window drops whole word types (every occurrence
   * of a dropped token gets a zero embedding row, the rest × 1/(1 − p)).
   * Embedding input only. Default 0.
   */
  readonly embeddingDropout?: number;
  /** Learning rate × this when the validation loss does not improve in an epoch. Default 0.5. */
  readonly lrDecay?: number;
  /**
   * An epoch must lower validation perplexity by at least this fraction to
   * count as improving (0.02 = 2%); a smaller gain still keeps its weights as
   * the best, but decays the learning rate and counts toward patience, like
   * PyTorch's ReduceLROnPlateau threshold. Default 0 (any gain counts).
   */
  readonly lrDecayThreshold?: number;
  /**
   * From the start of this epoch (1-based), keep a running mean of the
   * weights over every step (averaged SGD / weight averaging); validation,
   * the best model, the returned model and the model file use the mean.
   * 0 = off (default). Memory: two more copies of the weights.
   */
  readonly averageFromEpoch?: number;
  /** Stop after this many epochs in a row without improvement; 0 never stops early. Default 3. */
  readonly patience?: number;
  /** Seed of the dropout masks (the weights come from the model you pass). Default 1. */
  readonly seed?: number;
  /** Share the embedding matrix with the output layer (needs vocab = output, embedding = hidden). Default false. */
  readonly tie?: boolean;
  /** Use this many frequency classes for a factorized softmax output; 0 = full softmax. Default 0. */
  readonly classCount?: number;
  /** Threads computing gradients (main + workers − 1), data-parallel over the batch's streams. Default 1. */
  readonly workers?: number;
  /** Windows per epoch at most (0 = all); for quick runs and benchmarks. Default 0. */
  readonly maxWindowsPerEpoch?: number;
  /** Validation batch size. Default 10. */
  readonly validationBatchSize?: number;
  /** Divergence guard: roll-backs allowed before giving up with TRAINING_DIVERGED. Default 5. */
  readonly maxRollbacks?: number;
  /** Matrix products on 'wasm' (WebAssembly SIMD, default where available) or 'typescript'. */
  readonly kernel?: 'wasm' | 'typescript';
}

/** TrainOptions with every default filled in. */
export type ResolvedTrainOptions = { readonly [K in keyof TrainOptions]-?: NonNullable<TrainOptions[K]> };

/** Fills in defaults and checks ranges; throws TrainingError (TRAINING_OPTION_INVALID) naming the bad option. */
export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  const optimizer = options.optimizer ?? 'adam';
  const resolved: ResolvedTrainOptions = {
    batchSize: options.batchSize ?? 20,
    window: options.window ?? 35,
    epochs: options.epochs ?? 10,
    optimizer,
    learningRate: options.learningRate ?? (optimizer === 'adam' ? 0.002 : 1),
    momentum: options.momentum ?? 0,
    weightDecay: options.weightDecay ?? 0,
    clipNorm: options.clipNorm ?? 5,
    dropout: options.dropout ?? 0,
    inputDropout: options.inputDropout ?? 0,
    recurrentDropout: options.recurrentDropout ?? 0,
    embeddingDropout: options.embeddingDropout ?? 0,
    lrDecay: options.lrDecay ?? 0.5,
    lrDecayThreshold: options.lrDecayThreshold ?? 0,
    averageFromEpoch: options.averageFromEpoch ?? 0,
    patience: options.patience ?? 3,
    seed: options.seed ?? 1,
    tie: options.tie ?? false,
    classCount: options.classCount ?? 0,
    workers: options.workers ?? 1,
    maxWindowsPerEpoch: options.maxWindowsPerEpoch ?? 0,
    validationBatchSize: options.validationBatchSize ?? 10,
    maxRollbacks: options.maxRollbacks ?? 5,
    kernel: options.kernel ?? 'wasm',
  };
  const fail = (name: string, why: string): never => {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `option ${name} is ${JSON.stringify((resolved as Record<string, unknown>)[name])}; ${why}`);
  };
  for (const name of ['batchSize', 'window', 'epochs', 'workers', 'validationBatchSize'] as const) {
    if (!(Number.isInteger(resolved[name]) && resolved[name] >= 1)) fail(name, 'expected a positive integer');
  }
  for (const name of ['averageFromEpoch', 'classCount', 'maxWindowsPerEpoch', 'patience', 'maxRollbacks', 'seed'] as const) {
    if (!(Number.isInteger(resolved[name]) && resolved[name] >= 0)) fail(name, 'expected a non-negative integer');
  }
  if (optimizer !== 'adam' && optimizer !== 'sgd') fail('optimizer', 'expected adam or sgd');
  if (resolved.kernel !== 'wasm' && resolved.kernel !== 'typescript') fail('kernel', 'expected wasm or typescript');
  if (!(resolved.learningRate > 0 && Number.isFinite(resolved.learningRate))) fail('learningRate', 'expected a positive number');
  if (!(resolved.momentum >= 0 && resolved.momentum < 1)) fail('momentum', 'expected a number in [0, 1)');
  if (!(resolved.weightDecay >= 0 && Number.isFinite(resolved.weightDecay))) fail('weightDecay', 'expected a non-negative number');
  if (!(resolved.clipNorm >= 0 && Number.isFinite(resolved.clipNorm))) fail('clipNorm', 'expected a non-negative number (0 = off)');
  if (!(resolved.dropout >= 0 && resolved.dropout < 1)) fail('dropout', 'expected a number in [0, 1)');
  if (!(resolved.inputDropout >= 0 && resolved.inputDropout < 1)) fail('inputDropout', 'expected a number in [0, 1)');
  if (!(resolved.recurrentDropout >= 0 && resolved.recurrentDropout < 1)) fail('recurrentDropout', 'expected a number in [0, 1)');
  if (!(resolved.embeddingDropout >= 0 && resolved.embeddingDropout < 1)) fail('embeddingDropout', 'expected a number in [0, 1)');
  if (!(resolved.lrDecayThreshold >= 0 && resolved.lrDecayThreshold < 1)) fail('lrDecayThreshold', 'expected a fraction in [0, 1)');
  if (!(resolved.lrDecay > 0 && resolved.lrDecay <= 1)) fail('lrDecay', 'expected a number in (0, 1]');
  if (resolved.workers > resolved.batchSize) fail('workers', `expected at most batchSize (${resolved.batchSize}): each worker takes whole streams`);
  return resolved;
}
