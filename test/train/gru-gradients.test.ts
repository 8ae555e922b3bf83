import { describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom, type Architecture } from '../../src/index.ts';
import { createFrequencyClasses, lossAndGradients, NetworkGraph, TrainableModel, type OutputClasses } from '../../src/train/index.ts';
import { centralDifferences, largestIndices } from '../helpers/central-differences.ts';

// Issue 16, must-show 2 (first half): the GRU's exact BPTT gradients
// (src/train/graph/gru-layer.ts) against central finite differences, for both
// variants, every input and head kind, and every parameter group: per layer
// and gate r, z, n, the input weights W_i·, the hidden weights W_h·, b_i·
// and b_h· — besides the embedding, head and class layer.
type HeadCase = 'softmax' | 'linear' | 'classes';

const VOCAB = 7;
const STEPS = 9;
const I = 3;
const H = 5;

function setup(cell: 'gru' | 'gru-reset-before', input: 'embedding' | 'dense', head: HeadCase, seed: number) {
  const architecture: Architecture = {
    cell,
    input,
    vocabSize: input === 'embedding' ? VOCAB : 0,
    inputSize: I,
    hiddenSize: H,
    numLayers: 2,
    head: head === 'linear' ? 'linear' : 'softmax',
    outputSize: head === 'linear' ? 2 : VOCAB,
  };
  const model = createRandomModel(architecture, { seed, embeddingScale: 0.5 });
  const random = new SeededRandom(seed * 7 + 1);
  const inputs = input === 'embedding' ? Array.from({ length: STEPS }, () => random.integer(VOCAB)) : Array.from({ length: STEPS * I }, () => random.uniform(-1, 1));
  const targets = head === 'linear' ? Array.from({ length: STEPS * 2 }, () => random.uniform(-1, 1)) : Array.from({ length: STEPS }, () => random.integer(VOCAB));
  const classes: OutputClasses | null = head === 'classes' ? createFrequencyClasses([9, 7, 5, 4, 3, 2, 1], 3) : null;
  return { model, inputs, targets, classes };
}

function lossOf(trainable: TrainableModel, inputs: number[], targets: number[], dense: boolean, linear: boolean): number {
  const graph = new NetworkGraph(trainable, { batchSize: 1, window: STEPS, kernel: 'typescript' });
  return graph.forward(dense ? Float32Array.from(inputs) : Int32Array.from(inputs), linear ? Float32Array.from(targets) : Int32Array.from(targets), STEPS, null);
}

/** Indices to check in a tensor: each GRU parameter group of a layer, and the largest gradients of every tensor. */
function indicesOf(name: string, gradient: Float32Array): number[] {
  const picked = [...largestIndices(gradient, 2), gradient.length >> 1];
  const layer = /^rnn\.(weight|bias)_l(\d)$/.exec(name);
  if (layer !== null) {
    const inputWidth = layer[2] === '0' ? I : H;
    const cols = inputWidth + H;
    for (let gate = 0; gate < 3; gate++) {
      const row = gate * H + ((gate + 2) % H);
      if (layer[1] === 'weight') picked.push(row * cols + (gate % inputWidth), row * cols + inputWidth + ((gate + 1) % H));
      else picked.push(row, 3 * H + row);
    }
  }
  return picked;
}

describe.each(['gru', 'gru-reset-before'] as const)('GRU gradients: %s', (cell) => {
  describe.each([
    ['embedding', 'softmax'],
    ['dense', 'linear'],
    ['embedding', 'classes'],
    ['dense', 'softmax'],
  ] as const)('%s input, %s head', (input, head) => {
    it('finite differences agree with the BPTT gradient on every parameter group', () => {
      const { model, inputs, targets, classes } = setup(cell, input, head, 3);
      const dense = input === 'dense';
      const linear = head === 'linear';
      const { gradients, classGradients } = lossAndGradients(model, inputs, targets, { classes });
      const trainable = new TrainableModel(model, { classes });
      const analytic = new Map(new TrainableModel(gradients, {}).parameters.map((slot) => [slot.name, slot.value]));
      if (classGradients) {
        analytic.set('classes.weight', classGradients.weight);
        analytic.set('classes.bias', classGradients.bias);
      }
      const { checked, worst, failures } = centralDifferences(trainable.parameters, analytic, () => lossOf(trainable, inputs, targets, dense, linear), indicesOf);
      console.log(`${cell}, ${input} input, ${head} head: ${checked} elements, max |numeric − analytic| ${worst.toExponential(2)}`);
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(40);
    });
  });

  it('a batch of B streams in truncated windows gives the mean of the B single-stream gradients, on both GEMM kernels', () => {
    const { model } = setup(cell, 'embedding', 'softmax', 5);
    const random = new SeededRandom(11);
    const B = 3;
    const WINDOW = 4;
    const streams = Array.from({ length: B }, () => Array.from({ length: STEPS + 1 }, () => random.integer(VOCAB)));
    let meanLoss = 0;
    const single = new TrainableModel(model);
    const sums = single.parameters.map((slot) => new Float64Array(slot.value.length));
    for (const stream of streams) {
      const result = lossAndGradients(model, stream.slice(0, STEPS), stream.slice(1), { window: WINDOW });
      meanLoss += result.loss / B;
      new TrainableModel(result.gradients).parameters.forEach((slot, k) => slot.value.forEach((v, i) => (sums[k][i] += v / B)));
    }
    for (const kernel of ['typescript', 'wasm'] as const) {
      const trainable = new TrainableModel(model);
      const graph = new NetworkGraph(trainable, { batchSize: B, window: WINDOW, kernel });
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
      const tolerance = kernel === 'wasm' ? 1e-4 : 1e-5;
      expect(Math.abs(batchLoss - meanLoss)).toBeLessThan(tolerance);
      trainable.parameters.forEach((slot, k) => {
        let worst = 0;
        slot.gradient.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - sums[k][i]))));
        expect(worst, `${kernel} ${slot.name}`).toBeLessThan(tolerance);
      });
    }
  });

  it("the graph's forward loss is the inference session's: the same model, the same numbers", () => {
    const { model, inputs, targets } = setup(cell, 'embedding', 'softmax', 8);
    const { loss } = lossAndGradients(model, inputs, targets);
    const session = model.session();
    let sum = 0;
    for (let t = 0; t < STEPS; t++) {
      const logits = session.step(inputs[t]);
      const max = Math.max(...logits);
      let total = 0;
      for (const v of logits) total += Math.exp(v - max);
      sum += Math.log(total) + max - logits[targets[t]];
    }
    expect(Math.abs(loss - sum / STEPS)).toBeLessThan(1e-5);
  });
});
