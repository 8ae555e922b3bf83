import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom, toTorchStateDict } from '../../src/index.ts';
import { train, type TrainRun } from '../../src/train/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-average-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const V = 10;
const random = new SeededRandom(6);
const stream = Int32Array.from({ length: 1601 }, (_, t) => (random.next() < 0.7 ? (t * 3) % V : random.integer(V)));
const model = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 6, hiddenSize: 8, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 2 });
const run: TrainRun = {
  train: { inputs: stream.subarray(0, 1600), targets: stream.subarray(1), inputWidth: 1, targetWidth: 1 },
  batchSize: 4,
  window: 10,
  optimizer: 'sgd',
  learningRate: 0.5,
  dropout: 0.2,
  kernel: 'typescript',
};
const flat = (m: typeof model) => Object.values(toTorchStateDict(m)).flatMap((t) => Array.from(t.data));

describe('weight averaging (averageFromEpoch)', () => {
  it('returns the mean of the weights after each step from the chosen epoch on', async () => {
    // Epoch 1 is not averaged; epoch 2's three steps are: the result is (w₄ + w₅ + w₆) / 3.
    const w = await Promise.all([1, 2, 3].map((n) => stepsInto(n)));
    const averaged = flat((await train(model, { ...run, epochs: 2, maxWindowsPerEpoch: 3, averageFromEpoch: 2 })).model);
    let worst = 0;
    averaged.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (w[0][i] + w[1][i] + w[2][i]) / 3))));
    expect(worst).toBeLessThan(1e-6);
    // And it is not the last iterate.
    expect(averaged).not.toEqual(w[2]);
  });

  it('a stopped and resumed averaging run ends bit-identical to an uninterrupted one', async () => {
    const options = { ...run, epochs: 3, averageFromEpoch: 2 };
    const whole = await train(model, options);
    const path = join(directory, 'average.ckpt');
    const controller = new AbortController();
    let windows = 0;
    // Stop inside epoch 2, with some steps already averaged.
    const stopped = await train(model, { ...options, checkpoint: { path, everyMinutes: 0 }, signal: controller.signal, onProgress: () => void (++windows === 55 && controller.abort()) });
    expect(stopped.stopped).toBe(true);
    const resumed = await train(model, { ...options, resumeFrom: path });
    expect(flat(resumed.model)).toEqual(flat(whole.model));
    expect(flat(whole.model)).not.toEqual(flat((await train(model, { ...run, epochs: 3 })).model));
  });
});

/** The weights after epoch 1 (3 windows) and n windows of epoch 2, without averaging. */
async function stepsInto(n: number): Promise<number[]> {
  const controller = new AbortController();
  let windows = 0;
  const result = await train(model, { ...run, epochs: 2, maxWindowsPerEpoch: 3, signal: controller.signal, onProgress: () => void (++windows === 3 + n && controller.abort()) });
  return flat(result.model);
}
