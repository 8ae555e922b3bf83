import { readFileSync } from 'node:fs';
import { isGru } from '../cells/cell.ts';
import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint/checkpoint-codec.ts';
import { writeFileAtomic } from '../io/write-file-atomic.ts';
import { checkSequence } from './data/check-data.ts';
import { sequenceLength, type SequenceData } from './data/batches.ts';
import { TrainingError } from './errors.ts';
import { evaluateLossSum } from './evaluate.ts';
import { NetworkGraph } from './graph/network-graph.ts';
import { clipScale, gradientNorm, Optimizer, splitRange, type OptimizerSettings } from './optim/optimizer.ts';
import { createFrequencyClasses, type OutputClasses } from './output-classes.ts';
import { Shard } from './parallel/participant.ts';
import { resolveTrainOptions, type ResolvedTrainOptions, type TrainOptions } from './trainer-options.ts';
import { TrainableModel, type ArrayAllocator } from './trainable-model.ts';
import { WeightAverage } from './optim/weight-average.ts';

/** One finished epoch. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss per token over the epoch. */
  readonly trainLoss: number;
  /** Mean validation loss per token (the training loss when there is no validation data). */
  readonly validLoss: number;
  readonly learningRate: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
}

/** Reported after every window. */
export interface TrainProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly window: number;
  readonly windowsPerEpoch: number;
  /** Mean training loss of the epoch so far. */
  readonly loss: number;
  readonly tokensPerSecond: number;
  /** Seconds left for the whole run at the current speed. */
  readonly etaSeconds: number;
  readonly learningRate: number;
}

/** Something the run wants the user to know (divergence, checkpoint written, early stop). */
export interface TrainEvent {
  readonly kind: 'diverged' | 'checkpoint' | 'early-stop' | 'lr-decay' | 'stopped';
  readonly message: string;
}

/** Where and how often to checkpoint, and what to resume from. */
export interface CheckpointOptions {
  /** File the checkpoint is written to (atomically). */
  readonly path: string;
  /** Write one every this many minutes (0: only when stopped). Default 10. */
  readonly everyMinutes?: number;
}

/** Everything {@link train} takes besides the model. */
export interface TrainRun extends TrainOptions {
  readonly train: SequenceData;
  readonly validation?: SequenceData | null;
  readonly checkpoint?: CheckpointOptions | null;
  /** A checkpoint file to continue from; the run must have the same model and options. */
  readonly resumeFrom?: string | null;
  /** Stop at the next window boundary, write the checkpoint, and return `stopped: true`. */
  readonly signal?: AbortSignal | null;
  readonly onProgress?: (progress: TrainProgress) => void;
  readonly onEpoch?: (record: EpochRecord) => void;
  readonly onEvent?: (event: TrainEvent) => void;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** The trained model (the best by validation loss), f32; for a factorized output, see `classes`. */
  readonly model: Model;
  /** The class layer of a factorized output (null for a full softmax or a linear head). */
  readonly classes: { readonly classes: OutputClasses; readonly weight: Float32Array; readonly bias: Float32Array } | null;
  readonly history: readonly EpochRecord[];
  /** True when the run was stopped (signal) before finishing; a checkpoint holds its state. */
  readonly stopped: boolean;
  readonly stoppedEarly: boolean;
  readonly divergences: number;
  readonly options: ResolvedTrainOptions;
  readonly seconds: number;
}

/** The counters of a run, all of which a checkpoint carries. */
interface RunState {
  epoch: number;
  window: number;
  learningRate: number;
  bestLoss: number;
  epochsWithoutImprovement: number;
  epochLossSum: number;
  epochRows: number;
  epochSeconds: number;
  divergences: number;
  stoppedEarly: boolean;
  history: EpochRecord[];
  /** Steps folded into the weight average (averageFromEpoch). */
  averageCount?: number;
}

/** The parts of a worker pool the trainer uses (parallel/worker-pool.ts). */
export interface GradientWorkers {
  runWindow(epoch: number, k: number): Promise<Array<{ lossSum: number; rows: number }>>;
  /** Each worker's loss sum and rows over its share of the validation streams, at the current weights. */
  validate(): Promise<Array<{ lossSum: number; rows: number }>>;
  /** Each worker's gradient arrays, slot by slot (shared memory). */
  readonly gradients: readonly (readonly Float32Array[])[];
  /** Hands the workers the main thread's parameters, gradients and optimizer moments (shared memory). */
  attach(main: { settings: OptimizerSettings; values: Float32Array[]; gradients: Float32Array[]; first: Float32Array[]; second: Float32Array[] }): Promise<void>;
  /** Worker i adds every worker's gradients into the main gradients over ranges[i] and returns Σ g² there. */
  reduce(ranges: readonly (readonly [number, number])[]): Promise<number[]>;
  /** Worker i applies the optimizer's step `stepCount` to ranges[i]. */
  update(ranges: readonly (readonly [number, number])[], lr: number, scale: number, stepCount: number): Promise<void>;
  getStates(): Promise<Float32Array[][]>;
  setStates(states: Float32Array[][]): Promise<void>;
  close(): Promise<void>;
}

/** Makes the worker pool; parallel/worker-pool.ts provides it (Node's worker_threads). */
export type WorkerFactory = (setup: {
  model: Model;
  /** The trainer's weight arrays (SharedArrayBuffer views) in allocation order. */
  sharedValues: readonly Float32Array[];
  data: SequenceData;
  /** Validation data (null: none) and each worker's share of its options.validationBatchSize streams. */
  validation: SequenceData | null;
  options: ResolvedTrainOptions;
  classes: OutputClasses | null;
  shares: Array<{ firstStream: number; streams: number }>;
  validationShares: Array<{ firstStream: number; streams: number }>;
}) => Promise<GradientWorkers>;

/**
 * Trains a copy of `model` on `run.train` with truncated BPTT over minibatches
 * of B streams: Adam or SGD (momentum), gradient clipping, weight decay,
 * dropout, learning-rate decay on a validation plateau, early stopping, weight
 * tying, a factorized softmax, data-parallel workers, checkpoints and resume,
 * and a divergence guard that rolls back to the epoch's start with half the
 * learning rate. Deterministic for a given model, data, options and worker
 * count. Throws TrainingError for bad data or options, or TRAINING_DIVERGED
 * after maxRollbacks roll-backs.
 */
export async function train(model: Model, run: TrainRun, createWorkers?: WorkerFactory): Promise<TrainResult> {
  const options = resolveTrainOptions(run);
  const a = model.architecture;
  const data = run.train;
  checkSequence(a, data.inputs, data.targets);
  if (run.validation) checkSequence(a, run.validation.inputs, run.validation.targets);
  if (options.classCount > 0 && a.head !== 'softmax') {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `classCount ${options.classCount} needs a softmax head; this model's head is ${a.head}`);
  }
  const gruLayer = model.layers.findIndex((layer) => isGru(layer.kind));
  if (options.recurrentDropout > 0 && gruLayer >= 0) {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `recurrentDropout ${options.recurrentDropout} is for LSTM and Elman layers; layer ${gruLayer} is a GRU`);
  }
  if (options.embeddingDropout > 0 && a.input !== 'embedding') {
    throw new TrainingError(ErrorCode.TRAINING_OPTION_INVALID, `embeddingDropout ${options.embeddingDropout} needs a model with token (embedding) input; this one takes ${a.input} input`);
  }
  if (sequenceLength(data) < options.batchSize) {
    throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `${sequenceLength(data)} training steps cannot fill ${options.batchSize} streams`);
  }
  const classes = options.classCount > 0 ? createFrequencyClasses(countTargets(data.targets as Int32Array, a.outputSize), options.classCount) : null;
  const useShared = options.workers > 1;
  // With workers, the weights live in shared memory (in allocation order, so a worker maps them the same way).
  const sharedValues: Float32Array[] = [];
  const allocate: ArrayAllocator = useShared
    ? (n, role) => {
        const array = new Float32Array(new SharedArrayBuffer(n * 4));
        if (role === 'value') sharedValues.push(array);
        return array;
      }
    : (n) => new Float32Array(n);
  const trainable = new TrainableModel(model, { tie: options.tie, classes, allocate });
  const shares = splitStreams(options.batchSize, options.workers);
  // Validation is split over the same threads (each stream carries its own state, so the sums add up exactly).
  const validationShares = splitStreams(options.validationBatchSize, options.workers);
  const mainShard = new Shard(trainable, data, { ...options, firstStream: shares[0].firstStream, streams: shares[0].streams });
  let workers: GradientWorkers | null = null;
  if (options.workers > 1) {
    const factory = createWorkers ?? (await import('./parallel/worker-pool.ts')).createWorkerPool;
    workers = await factory({ model, sharedValues, data, validation: run.validation ?? null, options, classes, shares: shares.slice(1), validationShares: validationShares.slice(1) });
  }
  try {
    return await runLoop(trainable, mainShard, workers, options, run, validationShares[0]);
  } finally {
    if (workers !== null) await workers.close();
  }
}

async function runLoop(
  trainable: TrainableModel,
  shard: Shard,
  workers: GradientWorkers | null,
  options: ResolvedTrainOptions,
  run: TrainRun,
  validationShare: { readonly firstStream: number; readonly streams: number },
): Promise<TrainResult> {
  const started = performance.now();
  const slots = trainable.parameters;
  const settings: OptimizerSettings = { kind: options.optimizer, momentum: options.momentum, weightDecay: options.weightDecay };
  // With workers the moments are shared too: each thread updates its own range of the parameters.
  const optimizer = new Optimizer(slots, settings, (n) => (workers === null ? new Float32Array(n) : new Float32Array(new SharedArrayBuffer(n * 4))));
  const ranges = splitRange(optimizer.size, workers === null ? 1 : workers.gradients.length + 1);
  if (workers !== null) {
    await workers.attach({
      settings,
      values: slots.map((slot) => slot.value),
      gradients: slots.map((slot) => slot.gradient),
      first: optimizer.first,
      second: optimizer.second,
    });
  }
  const windowsPerEpoch = options.maxWindowsPerEpoch > 0 ? Math.min(options.maxWindowsPerEpoch, shard.windowCount) : shard.windowCount;
  const state: RunState = {
    epoch: 0,
    window: 0,
    learningRate: options.learningRate,
    bestLoss: Infinity,
    epochsWithoutImprovement: 0,
    epochLossSum: 0,
    epochRows: 0,
    epochSeconds: 0,
    divergences: 0,
    stoppedEarly: false,
    history: [],
  };
  const best = slots.map((slot) => slot.value.slice());
  const average = options.averageFromEpoch > 0 ? new WeightAverage(slots) : null;
  // The divergence guard's "last good state": weights and optimizer at the epoch's start.
  const good = {
    values: slots.map((slot) => slot.value.slice()),
    first: optimizer.first.map((m) => m.slice()),
    second: optimizer.second.map((m) => m.slice()),
    stepCount: 0,
    learningRate: state.learningRate,
  };
  const saveGood = (): void => {
    slots.forEach((slot, k) => good.values[k].set(slot.value));
    optimizer.first.forEach((m, k) => good.first[k].set(m));
    optimizer.second.forEach((m, k) => good.second[k].set(m));
    good.stepCount = optimizer.stepCount;
  };
  // Options added later are left out when off, so older checkpoints still match.
  // The thread count is left out: a checkpoint resumes on any number of threads (see regroupStates).
  const fingerprint = JSON.stringify({
    ...options,
    workers: undefined,
    maxRollbacks: undefined,
    averageFromEpoch: options.averageFromEpoch || undefined,
    recurrentDropout: options.recurrentDropout || undefined,
    embeddingDropout: options.embeddingDropout || undefined,
    architecture: trainable.model.architecture,
  });
  const validationGraph = run.validation ? new NetworkGraph(trainable, { batchSize: validationShare.streams, window: options.window, kernel: options.kernel }) : null;
  const validate = async (data: SequenceData): Promise<number> => {
    const pending = workers === null ? null : workers.validate();
    let { lossSum, rows } = evaluateLossSum(trainable, data, options.validationBatchSize, options.window, validationShare, validationGraph!);
    for (const part of pending === null ? [] : await pending) {
      lossSum += part.lossSum;
      rows += part.rows;
    }
    return lossSum / rows;
  };

  const stateArrays = async (): Promise<Float32Array[]> => {
    const arrays = shard.graph.stateArrays().slice();
    if (workers !== null) for (const states of await workers.getStates()) arrays.push(...states);
    return arrays;
  };
  const writeCheckpoint = async (path: string): Promise<void> => {
    const arrays: Float32Array[] = [
      ...slots.map((slot) => slot.value),
      ...optimizer.first,
      ...optimizer.second,
      ...best,
      ...good.values,
      ...good.first,
      ...good.second,
      ...(average === null ? [] : average.values),
      ...(await stateArrays()),
    ];
    const header = { fingerprint, state, stepCount: optimizer.stepCount, goodStepCount: good.stepCount };
    await writeFileAtomic(path, encodeCheckpoint({ header, arrays }));
  };

  if (run.resumeFrom) {
    const path = run.resumeFrom;
    const checkpoint = decodeCheckpoint(readFileSync(path), path);
    if (withoutWorkers(checkpoint.header.fingerprint) !== fingerprint) {
      throw new TrainingError(ErrorCode.CHECKPOINT_INVALID, `${path} was written by a run with another model shape or other options; resume with the same ones`);
    }
    const groups = [slots.map((s) => s.value), optimizer.first, optimizer.second, best, good.values, good.first, good.second, average === null ? [] : average.values];
    let index = 0;
    for (const group of groups) for (const target of group) target.set(checkpoint.arrays[index++]);
    const mainStates = shard.graph.stateArrays();
    const threads = workers === null ? 1 : workers.gradients.length + 1;
    const split = regroupStates(checkpoint.arrays.slice(index), mainStates.length, splitStreams(options.batchSize, threads), path);
    mainStates.forEach((target, i) => target.set(split[0][i]));
    if (workers !== null) await workers.setStates(split.slice(1));
    Object.assign(state, checkpoint.header.state as RunState);
    // JSON has no Infinity: a run that had not finished an epoch stored bestLoss as null.
    if (state.bestLoss === null) state.bestLoss = Infinity;
    optimizer.stepCount = checkpoint.header.stepCount as number;
    good.stepCount = checkpoint.header.goodStepCount as number;
    if (average !== null) average.count = state.averageCount ?? 0;
  }

  const emit = (event: TrainEvent): void => run.onEvent?.(event);
  const everyMs = (run.checkpoint?.everyMinutes ?? 10) * 60_000;
  let lastCheckpoint = performance.now();
  let stopped = false;
  let windowStarted = performance.now();

  outer: while (state.epoch < options.epochs && !state.stoppedEarly) {
    if (state.window === 0) {
      saveGood();
      good.learningRate = state.learningRate;
      state.epochLossSum = 0;
      state.epochRows = 0;
      state.epochSeconds = 0;
    }
    for (let k = state.window; k < windowsPerEpoch; k++) {
      windowStarted = performance.now();
      // Workers get their window first, so they compute while this thread does its share.
      const pending = workers === null ? null : workers.runWindow(state.epoch, k);
      const local = shard.runWindow(state.epoch, k);
      let lossSum = local.lossSum;
      let rows = local.rows;
      let norm: number;
      if (workers !== null && pending !== null) {
        const results = await pending;
        for (const result of results) {
          lossSum += result.lossSum;
          rows += result.rows;
        }
        // Reduce-scatter: each thread sums every worker's gradients into the main ones over its own
        // range (worker 1, 2, … in a fixed order, so the run is deterministic) and squares them for the norm.
        const reduced = workers.reduce(ranges.slice(1));
        let sumOfSquares = optimizer.reduceRange(workers.gradients, ranges[0][0], ranges[0][1]);
        for (const part of await reduced) sumOfSquares += part;
        norm = Math.sqrt(sumOfSquares);
      } else {
        norm = gradientNorm(slots);
      }
      if (!Number.isFinite(lossSum) || !Number.isFinite(norm)) {
        state.divergences++;
        const what = !Number.isFinite(lossSum) ? `loss ${lossSum / rows}` : `gradient norm ${norm}`;
        if (state.divergences > options.maxRollbacks) {
          throw new TrainingError(ErrorCode.TRAINING_DIVERGED, `training diverged (${what}) at epoch ${state.epoch + 1}, window ${k + 1}, ${options.maxRollbacks} roll-backs already; try a lower learning rate or clipNorm`);
        }
        slots.forEach((slot, s) => slot.value.set(good.values[s]));
        optimizer.first.forEach((m, s) => m.set(good.first[s]));
        optimizer.second.forEach((m, s) => m.set(good.second[s]));
        optimizer.stepCount = good.stepCount;
        state.learningRate = good.learningRate * 0.5;
        good.learningRate = state.learningRate;
        state.window = 0;
        state.epochLossSum = 0;
        state.epochRows = 0;
        state.epochSeconds = 0;
        emit({ kind: 'diverged', message: `non-finite ${what} at epoch ${state.epoch + 1}, window ${k + 1} (step ${optimizer.stepCount + 1}); rolled back to the epoch's start with learning rate ${state.learningRate}` });
        continue outer;
      }
      const scale = clipScale(norm, options.clipNorm);
      if (workers !== null) {
        optimizer.stepCount++;
        const updated = workers.update(ranges.slice(1), state.learningRate, scale, optimizer.stepCount);
        optimizer.updateRange(state.learningRate, scale, ranges[0][0], ranges[0][1]);
        await updated;
      } else {
        optimizer.step(state.learningRate, scale);
      }
      if (average !== null && state.epoch + 1 >= options.averageFromEpoch) {
        average.add();
        state.averageCount = average.count;
      }
      state.window = k + 1;
      state.epochLossSum += lossSum;
      state.epochRows += rows;
      state.epochSeconds += (performance.now() - windowStarted) / 1000;
      const tokensPerSecond = state.epochRows / Math.max(state.epochSeconds, 1e-9);
      const windowsLeft = (options.epochs - state.epoch) * windowsPerEpoch - (k + 1);
      run.onProgress?.({
        epoch: state.epoch + 1,
        epochs: options.epochs,
        window: k + 1,
        windowsPerEpoch,
        loss: state.epochLossSum / state.epochRows,
        tokensPerSecond,
        etaSeconds: (windowsLeft * rows) / tokensPerSecond,
        learningRate: state.learningRate,
      });
      // Let a SIGINT handler or an abort run between windows.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      const checkpointPath = run.checkpoint?.path;
      if (run.signal?.aborted) {
        if (checkpointPath) await writeCheckpoint(checkpointPath);
        emit({ kind: 'stopped', message: `stopped at epoch ${state.epoch + 1}, window ${k + 1}${checkpointPath ? `; checkpoint written to ${checkpointPath}` : ''}` });
        stopped = true;
        break outer;
      }
      if (checkpointPath && everyMs > 0 && performance.now() - lastCheckpoint >= everyMs) {
        await writeCheckpoint(checkpointPath);
        lastCheckpoint = performance.now();
        emit({ kind: 'checkpoint', message: `checkpoint written to ${checkpointPath} (epoch ${state.epoch + 1}, window ${k + 1})` });
      }
    }
    const trainLoss = state.epochLossSum / state.epochRows;
    const validLoss = run.validation ? await (average === null ? validate(run.validation) : average.swappedIn(() => validate(run.validation!))) : trainLoss;
    const record: EpochRecord = {
      epoch: state.epoch + 1,
      trainLoss,
      validLoss,
      learningRate: state.learningRate,
      seconds: state.epochSeconds,
      tokensPerSecond: state.epochRows / Math.max(state.epochSeconds, 1e-9),
    };
    state.history.push(record);
    run.onEpoch?.(record);
    // Perplexity must fall by the threshold's fraction: log(1 + threshold) in loss.
    const improved = validLoss < state.bestLoss - Math.log1p(options.lrDecayThreshold);
    const previousBest = state.bestLoss;
    if (validLoss < state.bestLoss) {
      state.bestLoss = validLoss;
      slots.forEach((slot, s) => best[s].set(average !== null && average.count > 0 ? average.values[s] : slot.value));
    }
    if (improved) {
      state.epochsWithoutImprovement = 0;
    } else {
      state.epochsWithoutImprovement++;
      state.learningRate *= options.lrDecay;
      const by = options.lrDecayThreshold > 0 ? ` by ${(options.lrDecayThreshold * 100).toPrecision(3)}%` : '';
      emit({ kind: 'lr-decay', message: `validation loss ${validLoss.toFixed(4)} did not improve${by} on ${previousBest.toFixed(4)}; learning rate now ${state.learningRate}` });
      if (options.patience > 0 && state.epochsWithoutImprovement >= options.patience) {
        state.stoppedEarly = true;
        emit({ kind: 'early-stop', message: `no improvement for ${options.patience} epochs; stopping early after epoch ${state.epoch + 1}` });
      }
    }
    state.epoch++;
    state.window = 0;
  }

  // The model returned is the best one seen (a stopped run returns its current weights, or their average).
  if (!stopped && state.history.length > 0) slots.forEach((slot, s) => slot.value.set(best[s]));
  else if (average !== null && average.count > 0) slots.forEach((slot, s) => slot.value.set(average.values[s]));
  const result = exportTrainable(trainable);
  return {
    model: result.model,
    classes: result.classes,
    history: state.history,
    stopped,
    stoppedEarly: state.stoppedEarly,
    divergences: state.divergences,
    options,
    seconds: (performance.now() - started) / 1000,
  };
}

/** A standalone f32 Model (and class layer) copied out of a TrainableModel; checks every weight is finite. */
function exportTrainable(trainable: TrainableModel): Pick<TrainResult, 'model' | 'classes'> {
  const copy = new TrainableModel(trainable.model, { tie: trainable.tied });
  const layer = trainable.classLayer;
  return {
    model: copy.model,
    classes: layer === null ? null : { classes: layer.classes, weight: layer.weight.slice(), bias: layer.bias.slice() },
  };
}

/**
 * Re-splits a checkpoint's carried state for this run's threads. A checkpoint holds, per thread in
 * order, `perThread` arrays (per layer h, then C) of that thread's streams × the layer's width; the
 * shares are contiguous, so joining each array across threads gives all B streams, which are then
 * cut by the new shares. A one-core run can thus go on with more threads, or the reverse.
 * Cold path: copies the state once.
 */
export function regroupStates(saved: Float32Array[], perThread: number, shares: Array<{ firstStream: number; streams: number }>, path: string): Float32Array[][] {
  if (perThread === 0 || saved.length % perThread !== 0) {
    throw new TrainingError(ErrorCode.CHECKPOINT_INVALID, `${path} holds ${saved.length} carried-state arrays, not a whole number of threads' ${perThread}`);
  }
  const savedThreads = saved.length / perThread;
  const batchSize = shares.reduce((sum, share) => sum + share.streams, 0);
  const regrouped: Float32Array[][] = shares.map(() => []);
  for (let i = 0; i < perThread; i++) {
    const parts = Array.from({ length: savedThreads }, (_, t) => saved[t * perThread + i]);
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    if (total % batchSize !== 0) {
      throw new TrainingError(ErrorCode.CHECKPOINT_INVALID, `${path}: carried-state array ${i} has ${total} values, not a multiple of ${batchSize} streams`);
    }
    const width = total / batchSize;
    const joined = new Float32Array(total);
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.length;
    }
    shares.forEach((share, s) => regrouped[s].push(joined.slice(share.firstStream * width, (share.firstStream + share.streams) * width)));
  }
  return regrouped;
}

/** A checkpoint's fingerprint without the thread count (checkpoints written before it was left out had it). */
function withoutWorkers(fingerprint: unknown): string {
  if (typeof fingerprint !== 'string') return '';
  try {
    const parsed = JSON.parse(fingerprint) as Record<string, unknown>;
    delete parsed.workers;
    return JSON.stringify(parsed);
  } catch {
    return '';
  }
}

/** Splits B streams into `parts` contiguous shares of nearly equal size. */
export function splitStreams(batchSize: number, parts: number): Array<{ firstStream: number; streams: number }> {
  const shares = [];
  let first = 0;
  for (let p = 0; p < parts; p++) {
    const streams = Math.floor(batchSize / parts) + (p < batchSize % parts ? 1 : 0);
    shares.push({ firstStream: first, streams });
    first += streams;
  }
  return shares;
}

/** How often each id appears among the targets (the frequency classes' input). */
function countTargets(targets: Int32Array, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (let i = 0; i < targets.length; i++) counts[targets[i]]++;
  return counts;
}
