import { ErrorCode } from '../../errors.ts';
import { TrainingError } from '../errors.ts';

/**
 * A training sequence: per step, an input (a token id, or `inputWidth`
 * values) and a target (a token id, or `targetWidth` values). For a language
 * model, inputs are tokens[0 … N−1) and targets tokens[1 … N); see
 * {@link languageModelData}.
 */
export interface SequenceData {
  readonly inputs: Int32Array | Float32Array;
  readonly targets: Int32Array | Float32Array;
  /** Values per step: 1 for token ids. */
  readonly inputWidth: number;
  readonly targetWidth: number;
}

/** Next-token data from one token stream: input tokens[t], target tokens[t+1]. Views, no copy. */
export function languageModelData(tokens: Int32Array): SequenceData {
  if (tokens.length < 2) throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `a language model needs at least 2 tokens; got ${tokens.length}`);
  return { inputs: tokens.subarray(0, tokens.length - 1), targets: tokens.subarray(1), inputWidth: 1, targetWidth: 1 };
}

/** Number of steps in a SequenceData. */
export function sequenceLength(data: SequenceData): number {
  return data.inputs.length / data.inputWidth;
}

/**
 * Cuts a sequence into B contiguous streams of L = ⌊N / B⌋ steps (the tail
 * that does not fill a stream is dropped) and serves windows of up to T steps
 * in time-major order (row t·B' + b), for the streams [firstStream, firstStream + B')
 * — one worker's share. Window k covers steps [k·T, min((k+1)·T, L)) of every
 * stream, so the state carried from window k to k+1 is each stream's own.
 * Allocates the window buffers once; `load` allocates nothing.
 */
export class WindowBatches {
  readonly streamLength: number;
  readonly windowCount: number;
  /** Inputs of the last loaded window [steps × B' × inputWidth]. */
  readonly inputs: Int32Array | Float32Array;
  /** Targets of the last loaded window [steps × B' × targetWidth]. */
  readonly targets: Int32Array | Float32Array;
  private readonly data: SequenceData;
  private readonly window: number;
  private readonly firstStream: number;
  private readonly streams: number;

  constructor(data: SequenceData, batchSize: number, window: number, firstStream = 0, streams = batchSize) {
    const N = sequenceLength(data);
    this.streamLength = Math.floor(N / batchSize);
    if (this.streamLength < 1) {
      throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `${N} steps cannot fill ${batchSize} streams; use a smaller batch size`);
    }
    this.data = data;
    this.window = window;
    this.firstStream = firstStream;
    this.streams = streams;
    this.windowCount = Math.ceil(this.streamLength / window);
    const make = (source: Int32Array | Float32Array, width: number) =>
      source instanceof Int32Array ? new Int32Array(window * streams * width) : new Float32Array(window * streams * width);
    this.inputs = make(data.inputs, data.inputWidth);
    this.targets = make(data.targets, data.targetWidth);
  }

  /** Fills inputs and targets with window k and returns its number of steps. No allocation. */
  load(k: number): number {
    const start = k * this.window;
    const steps = Math.min(this.window, this.streamLength - start);
    const { inputWidth, targetWidth } = this.data;
    const B = this.streams;
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < B; b++) {
        const source = (this.firstStream + b) * this.streamLength + start + t;
        const row = t * B + b;
        for (let i = 0; i < inputWidth; i++) this.inputs[row * inputWidth + i] = this.data.inputs[source * inputWidth + i];
        for (let i = 0; i < targetWidth; i++) this.targets[row * targetWidth + i] = this.data.targets[source * targetWidth + i];
      }
    }
    return steps;
  }
}
