import { ErrorCode } from '../../errors.ts';
import type { Architecture } from '../../model/architecture.ts';
import { TrainingError } from '../errors.ts';

/**
 * Checks that every element of `ids` is an integer token id in [0, size) and
 * throws TrainingError (TRAINING_DATA_INVALID) naming the first bad position
 * otherwise. `what` names the array in the message. Cost: one pass.
 */
export function checkTokenIds(ids: ArrayLike<number>, size: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(Number.isInteger(id) && id >= 0 && id < size)) {
      throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `${what}[${i}] is ${id}; expected an integer token id in [0, ${size})`);
    }
  }
}

/** Throws TrainingError naming the first NaN or ±Infinity in values. Cost: one pass. */
export function checkFiniteValues(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `${what}[${i}] is ${values[i]}; training values must be finite`);
    }
  }
}

/**
 * Number of time steps in a single stream's inputs and targets, after checking
 * them against the architecture: token ids for embedding input / softmax
 * head, or flattened [T × width] values for dense input / linear head.
 * Throws TrainingError for a wrong length, id or non-finite value.
 */
export function checkSequence(a: Architecture, inputs: ArrayLike<number>, targets: ArrayLike<number>): number {
  const steps = a.input === 'embedding' ? inputs.length : inputs.length / a.inputSize;
  if (!Number.isInteger(steps) || steps === 0) {
    throw new TrainingError(
      ErrorCode.TRAINING_DATA_INVALID,
      `inputs has ${inputs.length} values; expected ${a.input === 'embedding' ? 'at least one token id' : `a positive multiple of inputSize ${a.inputSize}`}`,
    );
  }
  if (a.input === 'embedding') checkTokenIds(inputs, a.vocabSize, 'inputs');
  else checkFiniteValues(inputs, 'inputs');
  const width = a.head === 'softmax' ? 1 : a.outputSize;
  if (targets.length !== steps * width) {
    throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `targets has ${targets.length} values; expected ${steps * width} (${steps} steps × ${width})`);
  }
  if (a.head === 'softmax') checkTokenIds(targets, a.outputSize, 'targets');
  else checkFiniteValues(targets, 'targets');
  return steps;
}
