import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom, toTorchStateDict } from '../../src/index.ts';
import { train, type TrainRun } from '../../src/train/index.ts';
import { largestDifference } from '../helpers/largest-difference.ts';
import { onNode } from '../helpers/runtime.ts';
import { ensureBuiltDist } from './dist-build.ts';

const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-workers-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const V = 30;
const random = new SeededRandom(4);
const stream = Int32Array.from({ length: 4001 }, (_, t) => (random.next() < 0.6 ? (t * 7) % V : random.integer(V)));
const run: TrainRun = {
  train: { inputs: stream.subarray(0, 3200), targets: stream.subarray(1, 3201), inputWidth: 1, targetWidth: 1 },
  // Validation streams are split over the threads too (5 validation streams: 3 on the main thread, 2 on the worker).
  validation: { inputs: stream.subarray(3200, 4000), targets: stream.subarray(3201), inputWidth: 1, targetWidth: 1 },
  validationBatchSize: 5,
  batchSize: 8,
  window: 10,
  epochs: 2,
  dropout: 0.1,
  inputDropout: 0.2,
  recurrentDropout: 0.15,
  embeddingDropout: 0.1,
  classCount: 5,
  learningRate: 0.01,
};
const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 8, hiddenSize: 16, numLayers: 2, head: 'softmax', outputSize: V }, { seed: 3 });
const flat = (m: typeof model) => Object.values(toTorchStateDict(m)).flatMap((t) => Array.from(t.data));

// Worker threads load the built dist/train.js (Node cannot start a .ts
// worker), so this suite builds dist when stale and runs on Node only.
describe.skipIf(!onNode)('data-parallel worker threads', () => {
  beforeAll(() => ensureBuiltDist(), 120_000);

  it('2 threads compute the same training as 1 (up to float summation order)', async () => {
    const one = await train(model, run);
    const two = await train(model, { ...run, workers: 2 });
    one.history.forEach((r, i) => expect(Math.abs(two.history[i].trainLoss - r.trainLoss)).toBeLessThan(1e-5));
    one.history.forEach((r, i) => expect(Math.abs(two.history[i].validLoss - r.validLoss)).toBeLessThan(1e-5));
    expect(two.history[1].validLoss).not.toBe(two.history[1].trainLoss);
    expect(largestDifference(flat(one.model), flat(two.model))).toBeLessThan(1e-3);
    expect(two.history[1].trainLoss).toBeLessThan(two.history[0].trainLoss);
  });

  it('with 2 threads, a stopped and resumed run ends bit-identical to an uninterrupted 2-thread run', async () => {
    const whole = await train(model, { ...run, workers: 2 });
    const path = join(directory, 'workers.ckpt');
    const controller = new AbortController();
    let windows = 0;
    const stopped = await train(model, { ...run, workers: 2, checkpoint: { path, everyMinutes: 0 }, signal: controller.signal, onProgress: () => void (++windows === 57 && controller.abort()) });
    expect(stopped.stopped).toBe(true);
    const resumed = await train(model, { ...run, workers: 2, resumeFrom: path });
    expect(flat(resumed.model)).toEqual(flat(whole.model));
  });

  // The carried state is stored per thread; resuming on another thread count re-splits the streams.
  // A wrong split (a stream given another's h and C) moves the weights by far more than summation order does.
  it.each([
    [1, 2],
    [2, 1],
  ])('a checkpoint written on %i thread(s) resumes on %i, ending as the uninterrupted run does (up to summation order)', async (before, after) => {
    const whole = await train(model, { ...run, workers: after });
    const path = join(directory, `workers-${before}-${after}.ckpt`);
    const controller = new AbortController();
    let windows = 0;
    const stopped = await train(model, { ...run, workers: before, checkpoint: { path, everyMinutes: 0 }, signal: controller.signal, onProgress: () => void (++windows === 57 && controller.abort()) });
    expect(stopped.stopped).toBe(true);
    const resumed = await train(model, { ...run, workers: after, resumeFrom: path });
    resumed.history.forEach((r, i) => expect(Math.abs(whole.history[i].validLoss - r.validLoss)).toBeLessThan(1e-5));
    expect(largestDifference(flat(whole.model), flat(resumed.model))).toBeLessThan(1e-3);
  });
});
