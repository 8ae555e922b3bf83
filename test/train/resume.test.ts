import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom, toTorchStateDict, type Model } from '../../src/index.ts';
import { decodeCheckpoint, train, TrainingError, type TrainRun } from '../../src/train/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-resume-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function tokens(seed: number, length: number, vocab: number): Int32Array {
  const random = new SeededRandom(seed);
  const out = new Int32Array(length);
  // A little structure (a repeating motif plus noise) so the loss moves.
  for (let t = 0; t < length; t++) out[t] = random.next() < 0.7 ? (t * 3) % vocab : random.integer(vocab);
  return out;
}

const V = 12;
const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 8, hiddenSize: 12, numLayers: 2, head: 'softmax', outputSize: V }, { seed: 5 });
const stream = tokens(1, 2401, V);
const validationStream = tokens(2, 401, V);
const base: Omit<TrainRun, 'train'> = {
  validation: { inputs: validationStream.subarray(0, 400), targets: validationStream.subarray(1), inputWidth: 1, targetWidth: 1 },
  batchSize: 4,
  window: 10,
  epochs: 3,
  dropout: 0.2,
  inputDropout: 0.1,
  classCount: 3,
  learningRate: 0.01,
  weightDecay: 1e-4,
};
const data = { inputs: stream.subarray(0, 2400), targets: stream.subarray(1), inputWidth: 1, targetWidth: 1 };

function weightsOf(m: Model): Float32Array[] {
  return Object.values(toTorchStateDict(m)).map((t) => t.data);
}

// Must-show 4: a run stopped at a random point and resumed ends with exactly the weights of an uninterrupted run.
describe('checkpoint and resume', () => {
  const windowsPerEpoch = Math.ceil(600 / 10);
  const total = windowsPerEpoch * 3;
  // Fixed stop points (first window, just before, at and after an epoch boundary) plus one random one each run.
  const random = 1 + new SeededRandom(Date.now()).integer(total - 2);
  let uninterrupted: Awaited<ReturnType<typeof train>> | null = null;

  it.each([1, 59, 60, 61, random])('a run stopped after window %i and resumed from its checkpoint ends bit-identical to an uninterrupted run', async (stopAt) => {
    uninterrupted ??= await train(model, { ...base, train: data });
    const path = join(directory, `run-${stopAt}.ckpt`);
    const controller = new AbortController();
    let seen = 0;
    const first = await train(model, {
      ...base,
      train: data,
      checkpoint: { path, everyMinutes: 0 },
      signal: controller.signal,
      onProgress: () => {
        if (++seen === stopAt) controller.abort();
      },
    });
    expect(first.stopped).toBe(true);
    const resumed = await train(model, { ...base, train: data, checkpoint: { path, everyMinutes: 0 }, resumeFrom: path });
    expect(resumed.stopped).toBe(false);
    const a = weightsOf(uninterrupted.model);
    const b = weightsOf(resumed.model);
    a.forEach((tensor, i) => expect(Array.from(b[i]), `tensor ${i}`).toEqual(Array.from(tensor)));
    expect(Array.from(resumed.classes!.weight)).toEqual(Array.from(uninterrupted.classes!.weight));
    expect(resumed.history.map((r) => r.validLoss)).toEqual(uninterrupted.history.map((r) => r.validLoss));
  });

  it('the same seed gives the same weights; another seed (other dropout masks) does not', async () => {
    const short = { ...base, epochs: 1, train: data };
    const a = weightsOf((await train(model, short)).model);
    const b = weightsOf((await train(model, short)).model);
    const c = weightsOf((await train(model, { ...short, seed: 99 })).model);
    expect(b.map((t) => Array.from(t))).toEqual(a.map((t) => Array.from(t)));
    expect(c.map((t) => Array.from(t))).not.toEqual(a.map((t) => Array.from(t)));
  });

  it('refuses a checkpoint from other options, and a truncated file, with CHECKPOINT_INVALID', async () => {
    const path = join(directory, 'other.ckpt');
    const controller = new AbortController();
    controller.abort();
    await train(model, { ...base, train: data, checkpoint: { path, everyMinutes: 0 }, signal: controller.signal });
    await expect(train(model, { ...base, window: 11, train: data, resumeFrom: path })).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
    const bytes = readFileSync(path);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'cut.ckpt')).toThrow(TrainingError);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'cut.ckpt')).toThrow(/cut\.ckpt.*truncated/);
  });
});
