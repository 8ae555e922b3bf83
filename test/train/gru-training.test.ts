import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, SeededRandom, type Model } from '../../src/index.ts';
import { train, type TrainRun } from '../../src/train/index.ts';
import { largestDifference } from '../helpers/largest-difference.ts';
import { onNode } from '../helpers/runtime.ts';
import { ensureBuiltDist } from './dist-build.ts';

// The trainer with GRU layers (issue 16, item 2): it learns, a stopped and
// resumed run ends bit-identical to an uninterrupted one (dropout, classes,
// weight decay on), and two worker threads compute what one does.
const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-gru-train-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const V = 8;

/** Random tokens; the target at step t is the input 3 steps earlier (0 before that). */
function recall(seed: number, length: number) {
  const random = new SeededRandom(seed);
  const inputs = new Int32Array(length);
  const targets = new Int32Array(length);
  for (let t = 0; t < length; t++) {
    inputs[t] = random.integer(V);
    targets[t] = t >= 3 ? inputs[t - 3] : 0;
  }
  return { inputs, targets, inputWidth: 1, targetWidth: 1 };
}

function weightsOf(model: Model): number[] {
  return model.layers.flatMap((layer) => [...layer.weight.toFloat32(), ...layer.bias]).concat([...model.head!.weight.toFloat32(), ...model.embedding!.toFloat32()]);
}

describe.each(['gru', 'gru-reset-before'] as const)('training a %s model', (cell) => {
  const model = createRandomModel({ cell, input: 'embedding', vocabSize: V, inputSize: 16, hiddenSize: 32, numLayers: 1, head: 'softmax', outputSize: V }, { seed: 2 });

  it('learns to recall the token seen 3 steps earlier, and the model it returns saves, loads and predicts it', async () => {
    const result = await train(model, { train: recall(3, 6000), validation: recall(4, 1000), batchSize: 10, window: 20, epochs: 14, learningRate: 0.01, validationBatchSize: 1 });
    const last = result.history[result.history.length - 1];
    console.log(`${cell}: validation loss ${result.history[0].validLoss.toFixed(3)} after epoch 1, ${last.validLoss.toFixed(4)} after ${result.history.length}`);
    expect(result.history[0].validLoss).toBeGreaterThan(0.5);
    expect(last.validLoss).toBeLessThan(0.05);
    const loaded = decodeModel(encodeModel(result.model));
    expect(loaded.architecture.cell).toBe(cell);
    const data = recall(9, 200);
    const session = loaded.session();
    let correct = 0;
    for (let t = 0; t < 200; t++) {
      const logits = session.step(data.inputs[t]);
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
      if (t >= 3 && best === data.targets[t]) correct++;
    }
    expect(correct).toBe(197);
  });

  const small = createRandomModel({ cell, input: 'embedding', vocabSize: 12, inputSize: 8, hiddenSize: 11, numLayers: 2, head: 'softmax', outputSize: 12 }, { seed: 5 });
  const random = new SeededRandom(1);
  const stream = Int32Array.from({ length: 2401 }, (_, t) => (random.next() < 0.7 ? (t * 3) % 12 : random.integer(12)));
  const run: TrainRun = {
    train: { inputs: stream.subarray(0, 2000), targets: stream.subarray(1, 2001), inputWidth: 1, targetWidth: 1 },
    validation: { inputs: stream.subarray(2000, 2400), targets: stream.subarray(2001), inputWidth: 1, targetWidth: 1 },
    validationBatchSize: 5,
    batchSize: 4,
    window: 10,
    epochs: 2,
    dropout: 0.2,
    inputDropout: 0.1,
    classCount: 3,
    learningRate: 0.01,
    weightDecay: 1e-4,
  };

  it('a run stopped after window 57 and resumed from its checkpoint ends bit-identical to an uninterrupted run', async () => {
    const whole = await train(small, run);
    const path = join(directory, `${cell}.ckpt`);
    const controller = new AbortController();
    let seen = 0;
    await train(small, { ...run, checkpoint: { path, everyMinutes: 0 }, signal: controller.signal, onProgress: () => void (++seen === 57 && controller.abort()) });
    const resumed = await train(small, { ...run, resumeFrom: path });
    expect(weightsOf(resumed.model)).toEqual(weightsOf(whole.model));
    expect(resumed.history.map((r) => r.validLoss)).toEqual(whole.history.map((r) => r.validLoss));
  });

  describe.skipIf(!onNode)('with worker threads (Node: they load the built dist/train.js)', () => {
    it('2 threads compute the same training as 1 (up to float summation order)', async () => {
      ensureBuiltDist();
      const one = await train(small, run);
      const two = await train(small, { ...run, workers: 2 });
      one.history.forEach((r, i) => expect(Math.abs(two.history[i].trainLoss - r.trainLoss)).toBeLessThan(1e-5));
      one.history.forEach((r, i) => expect(Math.abs(two.history[i].validLoss - r.validLoss)).toBeLessThan(1e-5));
      expect(largestDifference(weightsOf(one.model), weightsOf(two.model))).toBeLessThan(1e-3);
    }, 300_000);
  });
});
