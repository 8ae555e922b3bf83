import { createRandomModel, type Model } from '../../src/index.ts';

/** Words of the tiny test vocabulary; id = index. */
export const WORDS = ['<unk>', 'the', 'cat', 'sat', 'on', 'mat', '.', ',', "don't", 'Mr.', 'U.S.', 'run'];

/** A small word-level LSTM language model with a vocabulary and tokenizer (random weights). */
export function createWordModel(seed = 3): Model {
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: WORDS.length, inputSize: 8, hiddenSize: 16, numLayers: 2, head: 'softmax', outputSize: WORDS.length },
    { seed, extras: { vocabulary: WORDS, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

/** A dense-input Elman model with a linear head (sensor values in, values out). */
export function createDenseModel(seed = 5): Model {
  return createRandomModel(
    { cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 8, numLayers: 1, head: 'linear', outputSize: 2 },
    { seed },
  );
}

/** Outputs of stepping a fresh session of `model` over `inputs`, copied: the reference a stream must match. */
export function referenceOutputs(model: Model, inputs: readonly (number | Float32Array)[]): Float32Array[] {
  const session = model.session();
  return inputs.map((input) => session.step(input).slice());
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets queued promise callbacks run (several microtask turns and one macrotask). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Collects a rejection's error (fails the test if the promise resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code?: string; name?: string; cause?: unknown; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string };
  }
  throw new Error('expected a rejection, got a resolution');
}
