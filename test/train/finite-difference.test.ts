import { describe, expect, it } from 'vitest';
import { createRandomModel, type Architecture, type CellKind, SeededRandom } from '../../src/index.ts';
import { createFrequencyClasses, lossAndGradients, NetworkGraph, TrainableModel, type OutputClasses } from '../../src/train/index.ts';
import { centralDifferences, largestIndices } from '../helpers/central-differences.ts';

type HeadCase = 'softmax' | 'linear' | 'classes';

interface Case {
  cell: CellKind;
  input: 'embedding' | 'dense';
  head: HeadCase;
}

const cases: Case[] = [];
for (const cell of ['lstm', 'rnn-tanh', 'rnn-relu'] as const) {
  for (const input of ['embedding', 'dense'] as const) {
    for (const head of ['softmax', 'linear', 'classes'] as const) cases.push({ cell, input, head });
  }
}

const VOCAB = 7;
const STEPS = 9;
// Finite differences see the whole sequence's dependence on a weight, so the
// check runs full BPTT (truncation drops, on purpose, the path through the
// carried state; the PyTorch tbptt fixture checks that case). The minibatch
// test below uses truncated windows of 4, 4 and 1 steps.
const WINDOW = 4;

function setup({ cell, input, head }: Case, seed: number) {
  const architecture: Architecture = {
    cell,
    input,
    vocabSize: input === 'embedding' ? VOCAB : 0,
    inputSize: 3,
    hiddenSize: 5,
    numLayers: 2,
    head: head === 'linear' ? 'linear' : 'softmax',
    outputSize: head === 'linear' ? 2 : VOCAB,
  };
  const model = createRandomModel(architecture, { seed, embeddingScale: 0.5 });
  const random = new SeededRandom(seed * 7 + 1);
  const inputs = input === 'embedding' ? Array.from({ length: STEPS }, () => random.integer(VOCAB)) : Array.from({ length: STEPS * 3 }, () => random.uniform(-1, 1));
  const targets = head === 'linear' ? Array.from({ length: STEPS * 2 }, () => random.uniform(-1, 1)) : Array.from({ length: STEPS }, () => random.integer(VOCAB));
  const classes: OutputClasses | null = head === 'classes' ? createFrequencyClasses([9, 7, 5, 4, 3, 2, 1], 3) : null;
  return { model, inputs, targets, classes };
}

/** Loss of the same data under a TrainableModel's current values, one window, from a zero state. */
function lossOf(trainable: TrainableModel, inputs: number[], targets: number[], dense: boolean, linear: boolean): number {
  const graph = new NetworkGraph(trainable, { batchSize: 1, window: STEPS });
  const inputArray = dense ? Float32Array.from(inputs) : Int32Array.from(inputs);
  const targetArray = linear ? Float32Array.from(targets) : Int32Array.from(targets);
  return graph.forward(inputArray, targetArray, STEPS, null);
}

// Must-show 1 (second half): central differences, computed in float32 storage,
// agree with the analytic BPTT gradient for every cell, input and head kind.
describe.each(cases)('finite differences: $cell, $input input, $head head', (testCase) => {
  it('agree with the BPTT gradient on every parameter tensor', () => {
    const { model, inputs, targets, classes } = setup(testCase, 3);
    const dense = testCase.input === 'dense';
    const linear = testCase.head === 'linear';
    const { gradients, classGradients } = lossAndGradients(model, inputs, targets, { classes });
    const trainable = new TrainableModel(model, { classes });
    const analytic = new TrainableModel(gradients, {});
    const analyticSlots = new Map(analytic.parameters.map((slot) => [slot.name, slot.value]));
    if (classGradients) {
      analyticSlots.set('classes.weight', classGradients.weight);
      analyticSlots.set('classes.bias', classGradients.bias);
    }
    // The three largest-gradient elements and one fixed index of each tensor.
    const { checked, failures } = centralDifferences(trainable.parameters, analyticSlots, () => lossOf(trainable, inputs, targets, dense, linear), (_, gradient) => [
      ...largestIndices(gradient, 3),
      gradient.length >> 1,
    ]);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});

describe('minibatches', () => {
  it('a batch of B streams gives the mean of the B single-stream gradients', () => {
    const { model } = setup({ cell: 'lstm', input: 'embedding', head: 'softmax' }, 5);
    const random = new SeededRandom(11);
    const B = 3;
    const streams = Array.from({ length: B }, () => Array.from({ length: STEPS + 1 }, () => random.integer(VOCAB)));
    const trainable = new TrainableModel(model);
    const graph = new NetworkGraph(trainable, { batchSize: B, window: WINDOW });
    let batchLoss = 0;
    for (let start = 0; start < STEPS; start += WINDOW) {
      const length = Math.min(WINDOW, STEPS - start);
      const inputs = new Int32Array(length * B);
      const targets = new Int32Array(length * B);
      for (let t = 0; t < length; t++) {
        for (let b = 0; b < B; b++) {
          inputs[t * B + b] = streams[b][start + t];
          targets[t * B + b] = streams[b][start + t + 1];
        }
      }
      batchLoss += graph.forward(inputs, targets, length, null);
      graph.backward();
    }
    let meanLoss = 0;
    const sums = trainable.parameters.map((slot) => new Float64Array(slot.value.length));
    for (const stream of streams) {
      const single = lossAndGradients(model, stream.slice(0, STEPS), stream.slice(1), { window: WINDOW });
      meanLoss += single.loss / B;
      new TrainableModel(single.gradients).parameters.forEach((slot, k) => slot.value.forEach((v, i) => (sums[k][i] += v / B)));
    }
    expect(Math.abs(batchLoss - meanLoss)).toBeLessThan(1e-5);
    trainable.parameters.forEach((slot, k) => {
      let worst = 0;
      slot.gradient.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - sums[k][i]))));
      expect(worst, slot.name).toBeLessThan(1e-5);
    });
  });
});
