import { beforeAll, describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';
import { ensureBuiltDist } from './dist-build.ts';
import { createCell, createRandomModel, F32Matrix, fromTorchStateDict, Model, SeededRandom, toTorchStateDict, type Architecture, type GateActivation } from '../../src/index.ts';
import { lossAndGradients, NetworkGraph, TrainableModel, train } from '../../src/train/index.ts';
import { referenceOutputs } from '../helpers/gate-reference.ts';
import { inputsOf, worstStep } from '../helpers/gru-cases.ts';
import { centralDifferences, largestIndices } from '../helpers/central-differences.ts';

// The trainer with hard-sigmoid gates (issue 16, item 3, trainer part): the
// forward pass matches the equations, the BPTT gradients match central finite
// differences on every parameter tensor (the gates' slope is 0.2 inside the
// clip and 0 outside it, read back from the stored gate outputs), mixed
// per-layer stacks included, and a hard-sigmoid model trains and keeps its
// gates through the trainer's copy and the worker threads' transport.
const VOCAB = 7;
const STEPS = 9;
const I = 3;
const H = 5;

interface Case {
  readonly cell: 'lstm' | 'gru' | 'gru-reset-before';
  readonly gates: GateActivation[];
}

const CASES: Case[] = [
  { cell: 'lstm', gates: ['hard-sigmoid', 'hard-sigmoid'] },
  { cell: 'lstm', gates: ['sigmoid', 'hard-sigmoid'] },
  { cell: 'gru', gates: ['hard-sigmoid', 'sigmoid'] },
  { cell: 'gru-reset-before', gates: ['hard-sigmoid', 'hard-sigmoid'] },
];

/** A 2-layer language model with the case's gates and weights spread wide enough that some gates clip. */
function setup(c: Case, seed: number) {
  const architecture: Architecture = { cell: c.cell, input: 'embedding', vocabSize: VOCAB, inputSize: I, hiddenSize: H, numLayers: 2, head: 'softmax', outputSize: VOCAB, layers: c.gates.map((gateActivation) => ({ gateActivation })) };
  const base = createRandomModel(architecture, { seed, embeddingScale: 1 });
  const layers = base.layers.map((layer) =>
    createCell(layer.kind, layer.inputSize, layer.hiddenSize, new F32Matrix(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32().map((v) => 5 * v)), layer.bias.map((v) => 5 * v), {
      gateActivation: layer.gateActivation,
    }),
  );
  const model = new Model({ embedding: base.embedding, layers, head: base.head });
  const random = new SeededRandom(seed * 7 + 1);
  const inputs = Array.from({ length: STEPS }, () => random.integer(VOCAB));
  const targets = Array.from({ length: STEPS }, () => random.integer(VOCAB));
  return { model, inputs, targets };
}

function lossOf(trainable: TrainableModel, inputs: number[], targets: number[]): number {
  const graph = new NetworkGraph(trainable, { batchSize: 1, window: STEPS, kernel: 'typescript' });
  return graph.forward(Int32Array.from(inputs), Int32Array.from(targets), STEPS, null);
}

describe.each(CASES)('$cell with gates $gates', (c) => {
  it('the trainer copies the gates, and its forward loss is the model\'s own', () => {
    const { model, inputs, targets } = setup(c, 3);
    const trainable = new TrainableModel(model);
    expect(trainable.model.layers.map((layer) => layer.gateActivation)).toEqual(c.gates);
    // Cross-entropy from the equations, in f64.
    const logits = referenceOutputs(model, { tokens: inputs, rows: [] });
    let nll = 0;
    logits.forEach((row, t) => {
      const max = Math.max(...row);
      const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
      nll += Math.log(sum) + max - row[targets[t]];
    });
    expect(Math.abs(lossOf(trainable, inputs, targets) - nll / STEPS)).toBeLessThan(1e-5);
    // The weights reach the clips: a good share of the hard gates sit at exactly 0 or 1 (slope 0 there).
    let clipped = 0;
    let hard = 0;
    referenceOutputs(model, { tokens: inputs, rows: [] }, undefined, (l, value) => {
      if (c.gates[l] !== 'hard-sigmoid') return;
      hard++;
      if (value === 0 || value === 1) clipped++;
    });
    console.log(`${c.cell} gates ${c.gates.join('/')}: ${clipped} of ${hard} hard gate values clipped`);
    expect(clipped / hard).toBeGreaterThan(0.1);
    expect(clipped / hard).toBeLessThan(0.9);
  });

  it('finite differences agree with the BPTT gradient on every parameter tensor', () => {
    const { model, inputs, targets } = setup(c, 3);
    const { gradients } = lossAndGradients(model, inputs, targets);
    const trainable = new TrainableModel(model);
    const analytic = new Map(new TrainableModel(gradients, {}).parameters.map((slot) => [slot.name, slot.value]));
    const { checked, worst, failures } = centralDifferences(
      trainable.parameters,
      analytic,
      () => lossOf(trainable, inputs, targets),
      (_, gradient) => [...largestIndices(gradient, 6), gradient.length >> 1, gradient.length - 1],
    );
    console.log(`${c.cell} gates ${c.gates.join('/')}: ${checked} elements, max |numeric − analytic| ${worst.toExponential(2)}`);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('the gradient differs from the sigmoid reading of the same weights (the gate activation is used)', () => {
    const { model, inputs, targets } = setup(c, 4);
    const sigmoidModel = new Model({
      embedding: model.embedding,
      layers: model.layers.map((layer) => createCell(layer.kind, layer.inputSize, layer.hiddenSize, layer.weight, layer.bias)),
      head: model.head,
    });
    const hard = new TrainableModel(lossAndGradients(model, inputs, targets).gradients).parameters;
    const soft = new TrainableModel(lossAndGradients(sigmoidModel, inputs, targets).gradients).parameters;
    const layerGradient = (parameters: typeof hard) => parameters.find((slot) => slot.name === 'rnn.weight_l1')!.value;
    expect(worstStep([layerGradient(hard)], [layerGradient(soft)])).toBeGreaterThan(1e-3);
  });
});

it('a hard-sigmoid model trains (loss falls) and comes out with its gates; the workers\' transport keeps them', async () => {
  const { model } = setup({ cell: 'lstm', gates: ['hard-sigmoid', 'sigmoid'] }, 6);
  const random = new SeededRandom(2);
  const stream = Int32Array.from({ length: 2001 }, (_, t) => (random.next() < 0.7 ? (t * 3) % VOCAB : random.integer(VOCAB)));
  const result = await train(model, {
    train: { inputs: stream.subarray(0, 2000), targets: stream.subarray(1, 2001), inputWidth: 1, targetWidth: 1 },
    validation: null,
    batchSize: 4,
    window: 10,
    epochs: 3,
    learningRate: 0.01,
    kernel: 'typescript',
  });
  expect(result.history[2].trainLoss).toBeLessThan(result.history[0].trainLoss);
  expect(result.model.layers.map((layer) => layer.gateActivation)).toEqual(['hard-sigmoid', 'sigmoid']);
  // What the worker pool sends each thread: PyTorch's names plus the gate activations.
  const sent = toTorchStateDict(result.model, { transport: true });
  const received = fromTorchStateDict(sent, { cell: 'lstm', gateActivations: ['hard-sigmoid', 'sigmoid'] });
  const inputs = inputsOf(result.model, 5, 30);
  expect(worstStep(referenceOutputs(received, inputs), referenceOutputs(result.model, inputs))).toBe(0);
  expect(received.layers.map((layer) => layer.gateActivation)).toEqual(['hard-sigmoid', 'sigmoid']);
  expect(() => toTorchStateDict(result.model)).toThrow(/layer 0 has hard-sigmoid gates, which PyTorch's nn\.LSTM cannot compute/);
  expect(() => fromTorchStateDict(sent, { cell: 'lstm', gateActivations: ['hard-sigmoid'] })).toThrow(/gateActivations has 1 entries for a 2-layer state dict/);
});

// Worker threads load the built dist/train.js (Node only), as workers.test.ts.
describe.skipIf(!onNode)('hard-sigmoid layers in the worker threads', () => {
  beforeAll(() => ensureBuiltDist(), 120_000);

  it('2 threads compute the same training as 1 (the transport carries the gate activations)', async () => {
    const { model } = setup({ cell: 'gru-reset-before', gates: ['hard-sigmoid', 'sigmoid'] }, 8);
    const random = new SeededRandom(3);
    const stream = Int32Array.from({ length: 1601 }, (_, t) => (random.next() < 0.7 ? (t * 3) % VOCAB : random.integer(VOCAB)));
    const run = {
      train: { inputs: stream.subarray(0, 1600), targets: stream.subarray(1, 1601), inputWidth: 1, targetWidth: 1 },
      validation: null,
      batchSize: 8,
      window: 10,
      epochs: 2,
      learningRate: 0.01,
    };
    const one = await train(model, run);
    const two = await train(model, { ...run, workers: 2 });
    one.history.forEach((r, i) => expect(Math.abs(two.history[i].trainLoss - r.trainLoss)).toBeLessThan(1e-5));
    expect(two.model.layers.map((layer) => layer.gateActivation)).toEqual(['hard-sigmoid', 'sigmoid']);
  });
});
